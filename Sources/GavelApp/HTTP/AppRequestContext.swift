import Foundation
import Hummingbird
import Logging
import NIOCore

/// Who a verified access token says is calling.
public struct AuthenticatedUser: Sendable, Equatable {
    public let id: UUID
    public let tokenID: String
}

/// A context that can carry the deadline of a write whose route answers it itself (see
/// `RequestLimitsMiddleware`).
protocol DeadlineRequestContext: RequestContext {
    var deadline: Alarm? { get set }
}

/// The context of every request: ids for correlation, and the caller once a bearer token
/// has been verified.
public struct AppRequestContext: DeadlineRequestContext {
    public var coreContext: CoreRequestContextStorage
    public var requestID = ""
    public var traceID = ""
    public var user: AuthenticatedUser?
    public let remoteAddress: String?
    var deadline: Alarm?

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
    let deadline: Alarm?

    public init(context: AppRequestContext) throws {
        guard let user = context.user else {
            throw Problem.unauthorized("This operation needs a bearer access token.", code: "auth.missing_token")
        }
        self.coreContext = context.coreContext
        self.user = user
        self.requestID = context.requestID
        self.traceID = context.traceID
        self.remoteAddress = context.remoteAddress
        self.deadline = context.deadline
    }

    var writeContext: WriteContext { WriteContext(traceID: traceID, correlationID: requestID) }

    /// 503 `request.timeout` once the deadline of a self-timed route has rung.
    func checkDeadline() throws {
        if deadline?.hasRung == true { throw Problem.requestTimeout }
    }
}
