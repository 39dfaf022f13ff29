import Foundation
import GavelCore
import Testing

@Suite("Validator")
struct ValidationTests {
    @Test("finishes without throwing when every check holds")
    func passesWhenAllHold() throws {
        var validator = Validator()
        validator.check(true, "name", "must not be empty")
        try validator.finish()
        #expect(validator.errors.isEmpty)
    }

    @Test("reports every failure, in the order checked, under the generic code")
    func reportsAllFailuresInOrder() throws {
        var validator = Validator()
        validator.check(false, "price", "must be greater than 0")
        validator.check(true, "name", "must not be empty")
        validator.fail("currency", "must be an ISO 4217 currency code")
        let failure = try #require(throws: ValidationFailure.self) { try validator.finish() }
        #expect(failure.code == "validation.failed")
        #expect(
            failure.errors == [
                FieldError(field: "price", message: "must be greater than 0"),
                FieldError(field: "currency", message: "must be an ISO 4217 currency code"),
            ])
    }

    @Test("builds a message only for a check that fails")
    func messageIsLazy() {
        var built = 0
        func message() -> String {
            built += 1
            return "must not be empty"
        }
        var validator = Validator()
        validator.check(true, "name", message())
        #expect(built == 0)
        validator.check(false, "name", message())
        #expect(built == 1)
    }

    @Test("a single-field failure carries its field, message and code")
    func singleFieldFailure() {
        let failure = ValidationFailure(field: "body", "the patch changes nothing", code: "validation.empty_patch")
        #expect(failure.code == "validation.empty_patch")
        #expect(failure.errors == [FieldError(field: "body", message: "the patch changes nothing")])
    }

    @Test("a field error encodes as the problem document's field and message members")
    func fieldErrorEncoding() throws {
        let data = try JSONEncoder().encode(FieldError(field: "page_size", message: "must be between 1 and 100"))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: String])
        #expect(object == ["field": "page_size", "message": "must be between 1 and 100"])
    }
}
