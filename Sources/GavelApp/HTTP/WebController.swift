import Foundation
import Crypto
import HTTPTypes
import Hummingbird
import NIOCore

/// The demo web app (`/`, `/assets/…`), the OpenAPI document (`/openapi.yaml`) and Swagger UI
/// (`/swagger/`). The files are compiled into the binary (`Resources/`), so the one executable is
/// the whole deployment; each is served with a strong ETag and revalidated on every load.
struct WebController: Sendable {
    /// The app loads nothing from elsewhere and runs no inline script or style.
    static let appPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "font-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    /// Swagger UI's script and styles come from jsDelivr; everything else stays same-origin.
    static let swaggerPolicy =
        "default-src 'none'; script-src 'self' https://cdn.jsdelivr.net; style-src 'self' https://cdn.jsdelivr.net; "
        + "img-src 'self' data: https://cdn.jsdelivr.net; connect-src 'self'; base-uri 'none'; frame-ancestors 'none'"

    let index = StaticAsset(PackageResources.index_html, type: "text/html; charset=utf-8", policy: Self.appPolicy)
    let document = StaticAsset(PackageResources.openapi_yaml, type: "application/yaml; charset=utf-8")
    let swagger = StaticAsset(PackageResources.swagger_html, type: "text/html; charset=utf-8", policy: Self.swaggerPolicy)
    let swaggerFiles = ["swagger-init.js": StaticAsset(PackageResources.swagger_init_js, type: "text/javascript; charset=utf-8")]
    /// Every file of `Resources/web` but the page itself, by name (a test keeps this list complete).
    let assets = [
        "app.js": StaticAsset(PackageResources.app_js, type: "text/javascript; charset=utf-8"),
        "app.css": StaticAsset(PackageResources.app_css, type: "text/css; charset=utf-8"),
        "qr.js": StaticAsset(PackageResources.qr_js, type: "text/javascript; charset=utf-8"),
    ]

    func addRoutes(to router: Router<AppRequestContext>, table: RouteTable) {
        router.route(.get, "/", in: table) { request, _ in index.response(to: request) }
        router.route(.get, "/assets/{file}", in: table) { request, context in
            try Self.file(context, in: assets).response(to: request)
        }
        router.route(.get, "/openapi.yaml", in: table) { request, _ in document.response(to: request) }
        router.route(.get, "/swagger/", in: table) { request, _ in
            // The router matches `/swagger` too; the page's relative links need the slash.
            guard request.uri.path.hasSuffix("/") else {
                return Response(status: .movedPermanently, headers: [.location: "/swagger/"])
            }
            return swagger.response(to: request)
        }
        router.route(.get, "/swagger/{file}", in: table) { request, context in
            try Self.file(context, in: swaggerFiles).response(to: request)
        }
    }

    private static func file(_ context: AppRequestContext, in files: [String: StaticAsset]) throws -> StaticAsset {
        guard let name = context.parameters.get("file"), let asset = files[name] else { throw Problem.notFound("file") }
        return asset
    }
}

/// One file served from memory.
struct StaticAsset: Sendable {
    let body: ByteBuffer
    let headers: HTTPFields
    let etag: String

    init(_ bytes: [UInt8], type: String, policy: String? = nil) {
        body = ByteBuffer(bytes: bytes)
        etag = "\"" + SHA256.hash(data: bytes).prefix(12).map { String(format: "%02x", $0) }.joined() + "\""
        var headers: HTTPFields = [.contentType: type, .eTag: etag, .cacheControl: "no-cache"]
        if let policy { headers[.contentSecurityPolicy] = policy }
        self.headers = headers
    }

    func response(to request: Request) -> Response {
        if let tags = request.headers[.ifNoneMatch], tags.split(separator: ",").contains(where: {
            let tag = $0.trimmingCharacters(in: .whitespaces)
            return tag == etag || tag == "W/" + etag || tag == "*"
        }) {
            return Response(status: .notModified, headers: headers.removingContent())
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: body))
    }
}

extension HTTPFields {
    /// A 304 repeats the validators and caching headers but not the representation's type.
    fileprivate func removingContent() -> HTTPFields {
        var fields = self
        fields[.contentType] = nil
        return fields
    }
}
