import Foundation
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// Who a verified access token says is calling.
public struct AuthenticatedUser: Sendable, Equatable {
    public let id: UUID
    public let tokenID: String
}

/// The context of every request: ids for correlation, and the caller once a bearer token
/// has been verified.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var requestID = ""
    public var traceID = ""
    public var user: AuthenticatedUser? {
        didSet { caller.record(user?.id) }
    }
    public let remoteAddress: String?
    /// The caller, seen by every copy of this context: middleware that runs outside the bearer
    /// check (the request log) gets the context as it was before the caller was known.
    let caller = CallerRecord()

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress?.ipAddress
    }

    /// Context for a change this request makes, carried into the events it causes.
    var writeContext: WriteContext { WriteContext(traceID: traceID, correlationID: requestID) }
}

/// The context of routes that require a user: it cannot be made without one, so a handler
/// typed on it cannot forget the check.
public struct AuthenticatedContext: ChildRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let user: AuthenticatedUser
    public let requestID: String
    public let traceID: String
    public let remoteAddress: String?

    public init(context: AppRequestContext) throws {
        guard let user = context.user else {
            throw Problem.unauthorized("This operation needs a bearer access token.", code: "auth.missing_token")
        }
        self.coreContext = context.coreContext
        self.user = user
        self.requestID = context.requestID
        self.traceID = context.traceID
        self.remoteAddress = context.remoteAddress
    }

    var writeContext: WriteContext { WriteContext(traceID: traceID, correlationID: requestID) }
}

/// Who the request turned out to be from, once its bearer token was verified.
final class CallerRecord: Sendable {
    private let id = Mutex<UUID?>(nil)

    func record(_ user: UUID?) { id.withLock { $0 = user } }

    var userID: UUID? { id.withLock { $0 } }
}
