import Foundation
import GavelCore
import HTTPTypes
import Hummingbird
import NIOCore

/// `/api/v1/products`: decoding, authorisation context and responses. Rules live in
/// `ProductService`; reads are answered from the repository's memory.
struct ProductController: Sendable {
    let service: ProductService
    let representations: RepresentationCache
    let maxBodyBytes: Int

    static let collection = "/api/v1/products"
    static let item = "/api/v1/products/{id}"

    func addRoutes(to router: Router<AppRequestContext>, table: RouteTable) {
        router.route(.get, Self.collection, in: table, use: list)
        router.route(.get, Self.item, in: table, use: get)
        let authenticated = router.group(context: AuthenticatedContext.self)
        authenticated.route(.post, Self.collection, in: table, use: create)
        authenticated.route(.put, Self.item, in: table, use: replace)
        authenticated.route(.patch, Self.item, in: table, use: patch)
        authenticated.route(.delete, Self.item, in: table, use: delete)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (query, page) = try ListParameters.products(request.uri.formParameters)
        let (items, total) = try await service.repository.list(query, page: page)
        return Response.json(representations.page(items, page: page, total: total))
    }

    @Sendable func get(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let id = context.parameters.get("id").flatMap(Identifier.parse),
            let product = try await service.repository.find(id)
        else { throw Problem.notFound("product", code: "product.not_found") }
        return productResponse(product, cached: true)
    }

    @Sendable func create(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let (body, raw) = try await request.decodeStrict(ProductBody.self, limit: maxBodyBytes)
        let idempotency = try IdempotencyKey.read(request).map { (key: $0, hash: IdempotencyKey.hash(raw)) }
        do {
            switch try await service.create(body.draft, seller: context.user.id, context: context.writeContext, idempotency: idempotency) {
            case .created(let product):
                var response = productResponse(product, status: .created)
                response.headers[.location] = "\(Self.collection)/\(product.id.text)"
                return response
            case .replayed(let stored):
                return stored.response
            }
        } catch ProductStoreError.nameTaken {
            throw Self.nameTaken
        }
    }

    @Sendable func replace(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let id = try Self.id(context)
        let (body, _) = try await request.decodeStrict(ProductBody.self, limit: maxBodyBytes)
        return try await write {
            try await service.replace(id, with: body.draft, by: context.user.id, ifMatch: request.headers[.ifMatch], context: context.writeContext)
        }
    }

    @Sendable func patch(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let id = try Self.id(context)
        let (body, _) = try await request.decodeStrict(ProductPatchBody.self, limit: maxBodyBytes, accepting: JSONMediaType.mergePatch)
        return try await write {
            try await service.patch(id, with: body.patch, by: context.user.id, ifMatch: request.headers[.ifMatch], context: context.writeContext)
        }
    }

    @Sendable func delete(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let id = try Self.id(context)
        do {
            try await service.delete(id, by: context.user.id, ifMatch: request.headers[.ifMatch], context: context.writeContext)
        } catch ProductStoreError.notFound {
            throw Problem.notFound("product", code: "product.not_found")
        }
        representations.forget(id)
        return Response(status: .noContent)
    }

    private func write(_ body: () async throws -> Product) async throws -> Response {
        do {
            return productResponse(try await body())
        } catch ProductStoreError.notFound {
            throw Problem.notFound("product", code: "product.not_found")
        } catch ProductStoreError.nameTaken {
            throw Self.nameTaken
        }
    }

    /// Only reads fill the representation cache: a product just written may never be read, and
    /// caching every write would hold a second copy of the whole catalog.
    private func productResponse(_ product: Product, status: HTTPResponse.Status = .ok, cached: Bool = false) -> Response {
        let json = cached ? representations.json(product) : ByteBuffer(bytes: ProductRepresentation.json(product))
        var response = Response.json(json, status: status)
        response.headers[.eTag] = EntityTag.make(version: product.version)
        return response
    }

    private static let nameTaken = Problem(
        .conflict, code: "product.name_taken", detail: "You already list a product with this name.",
        errors: [FieldError(field: "name", message: "already used by another of your products")])

    private static func id(_ context: AuthenticatedContext) throws -> UUID {
        guard let id = context.parameters.get("id").flatMap(Identifier.parse) else {
            throw Problem.notFound("product", code: "product.not_found")
        }
        return id
    }
}

extension Response {
    static func json(_ buffer: ByteBuffer, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: buffer))
    }
}
