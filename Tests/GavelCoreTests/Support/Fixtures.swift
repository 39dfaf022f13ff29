import Foundation
import GavelCore

/// Fixed values so every test reads the same world and no test depends on the clock.
enum Fixture {
    static let sellerID = UUID(uuidString: "01900000-0000-7000-8000-00000000a11c")!
    static let otherSellerID = UUID(uuidString: "01900000-0000-7000-8000-000000000b0b")!
    static let euro = Currency("EUR")!
    /// 2026-01-01T00:00:00Z
    static let noon = Date(timeIntervalSince1970: 1_767_225_600)

    /// An id whose canonical text ends in `suffix`, so tests control how ids compare.
    static func id(_ suffix: Int) -> UUID {
        let digits = String(suffix)
        return UUID(uuidString: "01900000-0000-7000-8000-" + String(repeating: "0", count: 12 - digits.count) + digits)!
    }

    static func product(
        id: UUID = Fixture.id(1), sellerID: UUID = Fixture.sellerID, name: String = "Desk lamp",
        description: String = "Brass, with a linen shade", price: Int = 4_500, currency: Currency = Fixture.euro,
        stock: Int = 3, createdAt: Date = Fixture.noon
    ) -> Product {
        Product(
            id: id, sellerID: sellerID, name: name, description: description, price: price, currency: currency,
            stock: stock, version: 1, createdAt: createdAt, updatedAt: createdAt)
    }
}

extension ValidationFailure {
    /// The names of the failing fields, in the order they were reported.
    var fields: [String] { errors.map(\.field) }
}
