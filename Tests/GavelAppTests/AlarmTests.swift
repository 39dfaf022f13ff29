import Foundation
import Synchronization
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

    @Test("onRing runs when the alarm rings, at once if it already rang, and never if it was switched off")
    func onRing() async throws {
        let runs = Mutex(0)
        let ringing = Alarm(after: .milliseconds(20))
        ringing.onRing { runs.withLock { $0 += 1 } }
        #expect(!ringing.hasRung)
        #expect(await ringing.wait())
        #expect(ringing.hasRung)
        #expect(runs.withLock { $0 } == 1)
        ringing.onRing { runs.withLock { $0 += 10 } }
        #expect(runs.withLock { $0 } == 11)
        ringing.switchOff()
        #expect(ringing.hasRung)

        let off = Alarm(after: .milliseconds(20))
        off.onRing { runs.withLock { $0 += 100 } }
        off.switchOff()
        off.onRing { runs.withLock { $0 += 100 } }
        try await Task.sleep(for: .milliseconds(80))
        #expect(!off.hasRung)
        #expect(runs.withLock { $0 } == 11)
    }

    @Test("a cancelled waiter stops waiting at once")
    func cancelled() async {
        let alarm = Alarm(after: .seconds(30))
        let waiter = Task { await alarm.wait() }
        waiter.cancel()
        #expect(await waiter.value == false)
    }

    @Test("alarms with different delays ring in deadline order, and switched-off ones are forgotten at once")
    func clock() async {
        let clock = AlarmClock(resolution: .milliseconds(5))
        let late = Alarm(after: .seconds(30), clock: clock)
        let soon = Alarm(after: .milliseconds(10), clock: clock)
        let off = Alarm(after: .milliseconds(10), clock: clock)
        #expect(clock.pending == 3)
        off.switchOff()
        #expect(clock.pending == 2)
        #expect(await soon.wait())
        #expect(await off.wait() == false)
        #expect(clock.pending == 1)
        late.switchOff()
        #expect(clock.pending == 0)
    }
}
