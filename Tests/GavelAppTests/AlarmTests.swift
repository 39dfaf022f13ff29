import Foundation
import Testing

@testable import GavelApp

@Suite("Alarm")
struct AlarmTests {
    @Test("an alarm rings once its delay has passed")
    func rings() async {
        let alarm = Alarm(after: .milliseconds(20))
        #expect(await alarm.wait())
    }

    @Test("an alarm switched off first does not ring, whether waited on before or after")
    func switchedOff() async {
        let early = Alarm(after: .seconds(30))
        early.switchOff()
        #expect(await early.wait() == false)
        let later = Alarm(after: .seconds(30))
        async let waited = later.wait()
        try? await Task.sleep(for: .milliseconds(20))
        later.switchOff()
        #expect(await waited == false)
    }

    @Test("a cancelled waiter stops waiting at once")
    func cancelled() async {
        let alarm = Alarm(after: .seconds(30))
        let waiter = Task { await alarm.wait() }
        waiter.cancel()
        #expect(await waiter.value == false)
    }
}
