import Crypto
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NewIPJSON
import NewIPLog
import NewIPSecurity
import NewIPWire

/// A domain's registrar folder (`nip registrar init`), docs/node.md "Registered mode":
///
/// | file | what |
/// |---|---|
/// | `registrar.conf` | domain, certificate lifetime, checkpoint interval |
/// | `registrar.key` | the registrar's Ed25519 key (a device key file, 0600): signs certificates and refusals |
/// | `first-hop.secret` | the domain's first-hop secret (0600), shared with the domain's first hops |
/// | `tokens` | one-time enrolment tokens, one a line (0600; add lines while it runs) |
/// | `operator.token` | the token `POST /revoke` requires (0600) |
/// | `log/` | the transparency log (NewIPLog) every decision is appended to |
public enum RegistrarFolder {
    public static let configFile = "registrar.conf"
    public static let keyFile = "registrar.key"
    public static let secretFile = "first-hop.secret"
    public static let tokensFile = "tokens"
    public static let operatorFile = "operator.token"
    public static let logFolder = "log"
    static let configHeader = "swift-newip registrar v1"

    public struct Created: Sendable {
        public var registrarKey: [UInt8]
        public var tokens: [String]
        public var logKey: String
    }

    /// A random token: 16 bytes as 32 hex digits.
    public static func newToken() -> String { hex(SymmetricKey(size: .bits128).withUnsafeBytes { Array($0) }) }

    /// `selfCertifying`: the domain's self-certifying prefix length (open mode: a key whose
    /// address it is enrols without a token); `keyEpoch`: the first-hop secret rotates with this
    /// period in nanoseconds (the secret file is the master; docs/wire.md, "Key epochs").
    public static func create(directory: String, domain: String, tokens: Int, epoch: UInt8 = 1,
                              certificateLifetime: UInt64 = 86_400 * 30, selfCertifying: Int? = nil,
                              keyEpoch: UInt64? = nil) throws -> Created {
        guard AddressCertificate.isValidDomain(domain) else {
            throw SecurityFileError("--domain \(domain): lower-case letters, digits, '-' and '.', without empty labels")
        }
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isFolder) {
            guard isFolder.boolValue, (try? FileManager.default.contentsOfDirectory(atPath: directory))?.isEmpty == true else {
                throw SecurityFileError("\(directory): exists and is not an empty folder; a registrar folder is never replaced")
            }
        } else {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        let identity = DeviceIdentity.generate()
        do { try KeyFile.write(identity, to: "\(directory)/\(keyFile)") } catch { throw SecurityFileError("\(error)") }
        try FirstHopSecretFile.write(FirstHopSecret.random(epoch: epoch), to: "\(directory)/\(secretFile)")
        let list = (0..<tokens).map { _ in newToken() }
        try PrivateFile.write(list.map { $0 + "\n" }.joined(), to: "\(directory)/\(tokensFile)")
        try PrivateFile.write(newToken() + "\n", to: "\(directory)/\(operatorFile)")
        var config = "\(configHeader)\ndomain: \(domain)\ncertificate-lifetime: \(certificateLifetime)\n"
        if let selfCertifying { config += "self-certifying: \(selfCertifying)\n" }
        if let keyEpoch { config += "key-epoch: \(keyEpoch)\n" }
        try PrivateFile.write(config, to: "\(directory)/\(configFile)")
        let log = try LogWriter.create(directory: "\(directory)/\(logFolder)", origin: "\(domain)/registrar")
        return Created(registrarKey: identity.publicKey, tokens: list, logKey: log.signer.verifier.text)
    }
}

/// Signing contexts of the registrar's messages (domain separation from certificates).
public enum RegistrarMessages {
    public static let requestContext: [UInt8] = Array("swift-newip enrolment request v1".utf8) + [0]
    public static let refusalContext: [UInt8] = Array("swift-newip registrar refusal v1".utf8) + [0]
    /// An enrolled device's request for its source key of another epoch (`POST /source-key`).
    public static let sourceKeyContext: [UInt8] = Array("swift-newip source key request v1".utf8) + [0]
    /// How far an enrolment request's time may be from the registrar's clock.
    public static let requestFreshness: UInt64 = 300

    /// The short hash of a token the log keeps (never the token itself).
    public static func tokenHash(_ token: String) -> String { hex(SHA256.hash(data: Array(token.utf8)).prefix(8)) }

    /// Checks a refusal's signature: `statement` signed by the registrar key.
    public static func verifyRefusal(statement: String, signature: [UInt8], registrarKey: [UInt8]) -> Bool {
        verifyEd25519(signature: signature, message: refusalContext + Array(statement.utf8), publicKey: registrarKey)
    }
}

/// One domain's registrar: enrols devices (a certificate and their source key), refuses with
/// signed reasons, revokes, and appends every decision to its transparency log, publishing a
/// signed checkpoint at each checkpoint interval. Confined to its event loop.
public final class Registrar: @unchecked Sendable {
    public let directory: String
    public let domain: String
    let identity: DeviceIdentity
    let secret: FirstHopSecret
    let operatorToken: String
    let certificateLifetime: UInt64
    /// Open mode: the self-certifying prefix length; a key that owns the address needs no token.
    let selfCertifying: Int?
    /// The secret's rotation (`key-epoch`), `nil`: one secret.
    let epochs: KeyEpochs?
    let log: LogWriter
    public let checkpointInterval: TimeAmount
    let logger: Logger

    /// Decisions not yet in a signed checkpoint.
    private var pending: [Data] = []
    /// Revocations in the log: (index, address, entry text); pending ones wait for the checkpoint.
    private var revocations: [(index: Int, address: String, entry: String)] = []
    private var pendingRevocations: [(index: Int, address: String, entry: String)] = []
    private var usedTokens: Set<String> = []
    private var enrolled: [FrameworkAddress: [UInt8]] = [:]
    private var revoked: Set<FrameworkAddress> = []
    private var nextSerial: UInt64 = 1
    private var buckets: [String: (tokens: Double, at: UInt64)] = [:]
    /// Refusals since start, by reason (`rate-limited` too, which the log does not keep); in `GET /status`.
    private var refusals: [String: Int] = [:]
    /// Per client: a burst of this many requests, refilled at `refillPerSecond`.
    static let burst = 10.0
    static let refillPerSecond = 2.0

    public init(directory: String, checkpointInterval: TimeAmount = .seconds(1), logger: Logger = Logger(label: "newip.registrar")) throws {
        self.directory = directory
        self.checkpointInterval = checkpointInterval
        self.logger = logger
        let config = try PrivateFile.fields(try PrivateFile.read("\(directory)/\(RegistrarFolder.configFile)", what: "registrar configuration"),
                                            header: RegistrarFolder.configHeader, path: "\(directory)/\(RegistrarFolder.configFile)")
        guard let domain = config["domain"], AddressCertificate.isValidDomain(domain) else {
            throw SecurityFileError("\(directory)/\(RegistrarFolder.configFile): no valid `domain`")
        }
        self.domain = domain
        certificateLifetime = config["certificate-lifetime"].flatMap(UInt64.init) ?? 86_400 * 30
        selfCertifying = config["self-certifying"].flatMap(Int.init)
        do { identity = try KeyFile.read("\(directory)/\(RegistrarFolder.keyFile)") } catch { throw SecurityFileError("\(error)") }
        let secret = try FirstHopSecretFile.read("\(directory)/\(RegistrarFolder.secretFile)")
        self.secret = secret
        epochs = config["key-epoch"].flatMap(UInt64.init).map { KeyEpochs(master: secret.key, period: $0, grace: 0) }
        operatorToken = try PrivateFile.read("\(directory)/\(RegistrarFolder.operatorFile)", what: "operator token")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        log = try LogWriter(directory: "\(directory)/\(RegistrarFolder.logFolder)")
        try replay()
    }

    public var registrarKey: [UInt8] { identity.publicKey }
    public var logKey: String { log.signer.verifier.text }

    /// Rebuilds the state (used tokens, enrolled and revoked addresses, serials) from the log:
    /// the log is the registrar's memory.
    private func replay() throws {
        let size = log.size
        guard size > 0 else { return }
        let reader = try LogReader(source: DirectorySource(log.directory), key: log.signer.verifier)
        var index = 0
        for bundle in 0..<((size + 255) / 256) {
            for entry in try reader.bundle(bundle) {
                defer { index += 1 }
                guard let value = try? JSONValue.parse(Array(entry)) else { continue }
                let address = value["address"]?.stringValue.flatMap(FrameworkAddress.init)
                switch (value["type"]?.stringValue, value["decision"]?.stringValue) {
                case ("enrolment", "granted"):
                    if let token = value["token"]?.stringValue { usedTokens.insert(token) }
                    if let address, let key = value["key"]?.stringValue.flatMap({ parseHexBytes($0) }) { enrolled[address] = key }
                    if let serial = value["serial"]?.unsignedValue { nextSerial = max(nextSerial, serial + 1) }
                case ("revocation", _):
                    if let address {
                        revoked.insert(address)
                        revocations.append((index, address.description, String(decoding: entry, as: UTF8.self)))
                    }
                default: break
                }
            }
        }
    }

    // MARK: The log

    /// Appends `entry` to the next checkpoint; its index.
    private func record(_ entry: JSONValue) -> (index: Int, text: String) {
        let text = entry.serialized
        pending.append(Data(text.utf8))
        return (log.size + pending.count - 1, text)
    }

    /// Publishes what is pending under a new signed checkpoint (called each checkpoint interval).
    public func publish() {
        guard !pending.isEmpty else { return }
        do {
            try log.append(pending)
            pending = []
            revocations += pendingRevocations
            pendingRevocations = []
        } catch {
            logger.error("cannot append to the log: \(error)")
        }
    }

    // MARK: Requests

    struct Response {
        var status: HTTPResponseStatus = .ok
        var body: JSONValue
    }

    func handle(method: HTTPMethod, uri: String, body: String, client: String, now: UInt64) -> Response {
        let components = URLComponents(string: uri)
        let path = components?.path ?? uri
        switch (method, path) {
        case (.POST, "/enrol"): return enrol(body, client: client, now: now)
        case (.POST, "/revoke"): return revoke(body, now: now)
        case (.POST, "/source-key"): return renewSourceKey(body, client: client, now: now)
        case (.GET, "/revocations"):
            func number(_ name: String) -> Int? { components?.queryItems?.first { $0.name == name }?.value.flatMap(Int.init) }
            return revocationsAnswer(since: number("since") ?? 0, known: number("known"))
        case (.GET, "/status"):
            return Response(body: .object([
                ("domain", .string(domain)), ("registrar_key", .string(hex(registrarKey))),
                ("registrar_key_id", .string(identity.keyID.description)), ("log_key", .string(logKey)),
                ("log_size", .int(log.size)), ("pending", .int(pending.count)), ("enrolled", .int(enrolled.count)),
                ("revoked", .int(revoked.count)), ("pid", .int(Int(getpid()))),
                ("self_certifying", selfCertifying.map { .int($0) } ?? .null),
                ("key_epoch_ns", epochs.map { .unsigned($0.period) } ?? .null),
                ("refused", .object(refusals.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) })),
            ]))
        default:
            return Response(status: .notFound, body: .object([("error", .string("no such request: \(method) \(path); see docs/node.md"))]))
        }
    }

    /// `GET /revocations?since=N&known=M`: the revocations at log index N or later, each with its
    /// inclusion proof in the signed tree, and the consistency proof from the tree of M entries
    /// (the checkpoint the first hop verified last) to it, so that a first hop acts only on
    /// decisions it can prove were published, in a log that never forked.
    private func revocationsAnswer(since: Int, known: Int?) -> Response {
        do {
            let reader = try LogReader(source: DirectorySource(log.directory), key: log.signer.verifier,
                                       checkpointNote: Data(log.signedCheckpoint.utf8), checkpointSource: "the signed checkpoint")
            let size = reader.checkpoint.size
            var members: [(String, JSONValue)] = [("next", .int(size)), ("checkpoint", .string(log.signedCheckpoint))]
            if let known, known > 0, known <= size {
                members.append(("consistency", .string(try reader.consistency(old: known, new: size).text)))
            }
            var items: [JSONValue] = []
            for revocation in revocations where revocation.index >= since && revocation.index < size {
                items.append(.object([("index", .int(revocation.index)), ("address", .string(revocation.address)),
                                      ("entry", .string(revocation.entry)),
                                      ("inclusion", .string(try reader.prove(entry: revocation.index).proof.text))]))
            }
            members.append(("revocations", .array(items)))
            return Response(body: .object(members))
        } catch {
            logger.error("cannot prove the revocations: \(error)")
            return Response(status: .internalServerError, body: .object([("error", .string("cannot prove the revocations: \(error)"))]))
        }
    }

    private func allow(_ client: String, now: UInt64) -> Bool {
        var bucket = buckets[client] ?? (Self.burst, now)
        bucket.tokens = min(Self.burst, bucket.tokens + Double(now &- bucket.at) / 1e9 * Self.refillPerSecond)
        bucket.at = now
        defer { buckets[client] = bucket }
        guard bucket.tokens >= 1 else { return false }
        bucket.tokens -= 1
        return true
    }

    /// A refusal: logged (unless `logged` is false) and signed, with its reason machine-readable.
    private func refuse(_ reason: String, address: String?, key: String?, tokenHash: String?, now: UInt64,
                        status: HTTPResponseStatus = .forbidden, logged: Bool = true) -> Response {
        let seconds = now / 1_000_000_000
        refusals[reason, default: 0] += 1
        var index: Int? = nil
        if logged {
            var entry: [(String, JSONValue)] = [("type", .string("enrolment")), ("decision", .string("refused")), ("reason", .string(reason))]
            if let address { entry.append(("address", .string(address))) }
            if let key { entry.append(("key", .string(key))) }
            if let tokenHash { entry.append(("token", .string(tokenHash))) }
            entry.append(("time", .unsigned(seconds)))
            index = record(.object(entry)).index
        }
        let statement = JSONValue.object([
            ("refused", .string(reason)), ("domain", .string(domain)), ("address", address.map(JSONValue.string) ?? .null),
            ("key", key.map(JSONValue.string) ?? .null), ("time", .unsigned(seconds)),
            ("log_index", index.map(JSONValue.int) ?? .null), ("registrar", .string(identity.keyID.description)),
        ]).serialized
        let signature = identity.sign(RegistrarMessages.refusalContext + Array(statement.utf8))
        logger.info("enrolment refused", metadata: ["reason": "\(reason)", "address": "\(address ?? "-")"])
        return Response(status: status, body: .object([
            ("refused", .string(reason)), ("statement", .string(statement)), ("signature", .string(hex(signature))),
        ]))
    }

    private func tokens() -> Set<String> {
        let text = (try? PrivateFile.read("\(directory)/\(RegistrarFolder.tokensFile)", what: "token list")) ?? ""
        return Set(text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && !$0.hasPrefix("#") })
    }

    private func enrol(_ body: String, client: String, now: UInt64) -> Response {
        guard allow(client, now: now) else {
            return refuse("rate-limited", address: nil, key: nil, tokenHash: nil, now: now, status: .tooManyRequests, logged: false)
        }
        guard let outer = try? JSONValue.parse(body), let requestText = outer["request"]?.stringValue,
              let signature = outer["signature"]?.stringValue.flatMap({ parseHexBytes($0) }),
              let request = try? JSONValue.parse(requestText),
              let keyText = request["key"]?.stringValue, let key = parseHexBytes(keyText), key.count == 32,
              let addressText = request["address"]?.stringValue, let token = request["token"]?.stringValue ?? selfCertifying.map({ _ in "" }),
              let time = request["time"]?.unsignedValue else {
            return refuse("malformed", address: nil, key: nil, tokenHash: nil, now: now, status: .badRequest)
        }
        let tokenHash = RegistrarMessages.tokenHash(token)
        func no(_ reason: String) -> Response { refuse(reason, address: addressText, key: keyText, tokenHash: tokenHash, now: now) }
        guard let address = FrameworkAddress(addressText) else { return no("malformed-address") }
        guard verifyEd25519(signature: signature, message: RegistrarMessages.requestContext + Array(requestText.utf8), publicKey: key) else {
            return no("bad-signature")
        }
        let seconds = now / 1_000_000_000
        guard max(seconds, time) - min(seconds, time) <= RegistrarMessages.requestFreshness else { return no("stale-request") }
        // Open mode: the key owns the address or the request is refused; nobody grants it.
        let selfCertified = selfCertifying.map { bits in
            (UInt8.min...UInt8.max).contains { SelfCertifyingAddress.verify(address, prefixLength: bits, publicKey: key, modifier: $0) }
        }
        if selfCertified == false { return no("not-self-certifying") }
        if selfCertified != true {
            guard tokens().contains(token) else { return no("token-unknown") }
            guard !usedTokens.contains(tokenHash) else { return no("token-used") }
        }
        guard !revoked.contains(address) else { return no("address-revoked") }
        if let holder = enrolled[address], holder != key { return no("address-taken") }
        var certificate = AddressCertificate(subject: address, subjectKey: key, domain: domain, serial: nextSerial,
                                             notBefore: seconds, notAfter: seconds + certificateLifetime, issuer: identity.keyID)
        certificate.sign(with: identity)
        nextSerial += 1
        if selfCertified != true { usedTokens.insert(tokenHash) }
        enrolled[address] = key
        let sourceKey = self.sourceKey(for: address, epoch: epochs?.number(at: now))
        let (index, _) = record(.object([
            ("type", .string("enrolment")), ("decision", .string("granted")), ("address", .string(address.description)),
            ("key", .string(keyText)), ("serial", .unsigned(certificate.serial)), ("not_before", .unsigned(certificate.notBefore)),
            ("not_after", .unsigned(certificate.notAfter)), ("token", .string(tokenHash)), ("time", .unsigned(seconds)),
        ]))
        logger.info("enrolment granted", metadata: ["address": "\(address)", "key_id": "\(KeyID(publicKey: key))", "log_index": "\(index)"])
        return Response(body: .object([
            ("granted", .string(address.description)), ("domain", .string(domain)),
            ("certificate", .string(hex(certificate.encoded))), ("registrar_key", .string(hex(registrarKey))),
            ("epoch", .int(Int(sourceKey.epoch))), ("source_key", .string(hex(sourceKey.bytes))), ("log_index", .int(index)),
        ]))
    }

    /// K_src of `address` in epoch `number` (`nil`: the one secret).
    private func sourceKey(for address: FrameworkAddress, epoch number: UInt64?) -> SourceKey {
        guard let epochs, let number else { return secret.sourceKey(for: address) }
        return epochs.secret(number: number).sourceKey(for: address)
    }

    /// `POST /source-key` `{"request": "<one-line JSON: address, epoch (number), time>", "signature": "<hex>"}`,
    /// signed by the key enrolled for the address: its source key of the current or the next
    /// epoch (`key-epoch`), so hosts move to each epoch's key as they got the first. Not
    /// logged: it grants nothing enrolment did not.
    private func renewSourceKey(_ body: String, client: String, now: UInt64) -> Response {
        func refused(_ reason: String, _ status: HTTPResponseStatus = .forbidden) -> Response {
            refusals[reason, default: 0] += 1
            return Response(status: status, body: .object([("refused", .string(reason))]))
        }
        guard allow(client, now: now) else { return refused("rate-limited", .tooManyRequests) }
        guard let epochs else { return refused("no-key-epochs", .notFound) }
        guard let outer = try? JSONValue.parse(body), let requestText = outer["request"]?.stringValue,
              let signature = outer["signature"]?.stringValue.flatMap({ parseHexBytes($0) }),
              let request = try? JSONValue.parse(requestText), let address = request["address"]?.stringValue.flatMap(FrameworkAddress.init),
              let number = request["epoch"]?.unsignedValue, let time = request["time"]?.unsignedValue else {
            return refused("malformed", .badRequest)
        }
        guard let key = enrolled[address] else { return refused("not-enrolled") }
        guard verifyEd25519(signature: signature, message: RegistrarMessages.sourceKeyContext + Array(requestText.utf8), publicKey: key) else {
            return refused("bad-signature")
        }
        let seconds = now / 1_000_000_000
        guard max(seconds, time) - min(seconds, time) <= RegistrarMessages.requestFreshness else { return refused("stale-request") }
        guard !revoked.contains(address) else { return refused("address-revoked") }
        let current = epochs.number(at: now)
        guard number == current || number == current + 1 else { return refused("epoch-out-of-range") }
        let sourceKey = self.sourceKey(for: address, epoch: number)
        return Response(body: .object([
            ("address", .string(address.description)), ("epoch", .int(Int(sourceKey.epoch))), ("epoch_number", .unsigned(number)),
            ("from_unix_ns", .unsigned(number * epochs.period)), ("source_key", .string(hex(sourceKey.bytes))),
        ]))
    }

    private func revoke(_ body: String, now: UInt64) -> Response {
        guard let request = try? JSONValue.parse(body), let addressText = request["address"]?.stringValue,
              let address = FrameworkAddress(addressText) else {
            return Response(status: .badRequest, body: .object([("error", .string("a revocation needs {\"address\": \"0x05\", \"operator-token\": \"…\"}"))]))
        }
        guard let token = request["operator-token"]?.stringValue,
              token.utf8.count == operatorToken.utf8.count,
              zip(token.utf8, operatorToken.utf8).reduce(0, { $0 | ($1.0 ^ $1.1) }) == 0 else {
            return Response(status: .forbidden, body: .object([("error", .string("the operator token is missing or wrong"))]))
        }
        guard revoked.insert(address).inserted else {
            return Response(body: .object([("revoked", .string(address.description)), ("already", .bool(true))]))
        }
        let reason = request["reason"]?.stringValue ?? ""
        let (index, text) = record(.object([
            ("type", .string("revocation")), ("address", .string(address.description)), ("reason", .string(reason)),
            ("time", .unsigned(now / 1_000_000_000)),
        ]))
        pendingRevocations.append((index, address.description, text))
        logger.info("revoked", metadata: ["address": "\(address)", "log_index": "\(index)"])
        return Response(body: .object([("revoked", .string(address.description)), ("log_index", .int(index))]))
    }
}

/// The registrar's HTTP endpoint (HTTP/1.1, JSON): one event loop, like a node's control endpoint.
public final class RegistrarServer: @unchecked Sendable {
    let registrar: Registrar
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    var channel: Channel?
    public private(set) var address: SocketAddress?

    public init(registrar: Registrar) { self.registrar = registrar }

    public func start(host: String, port: Int) throws {
        let loop = group.next()
        let registrar = registrar
        let bootstrap = ServerBootstrap(group: loop)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(HTTPExchange(bodyLimit: 1 << 16) { request in
                        let response = registrar.handle(method: request.head.method, uri: request.head.uri, body: request.body,
                                                        client: request.client, now: unixNanoseconds())
                        return HTTPExchange.Answer(status: response.status, body: response.body.indentedText)
                    })
                }
            }
        channel = try bootstrap.bind(host: host, port: port).wait()
        address = channel?.localAddress
        let task = loop.scheduleRepeatedTask(initialDelay: registrar.checkpointInterval, delay: registrar.checkpointInterval) { _ in
            registrar.publish()
        }
        channel?.closeFuture.whenComplete { _ in
            task.cancel()
            registrar.publish()
        }
    }

    public func stop() {
        channel?.close(promise: nil)
    }

    public func waitUntilStopped() throws {
        try channel?.closeFuture.wait()
        try group.syncShutdownGracefully()
    }
}
