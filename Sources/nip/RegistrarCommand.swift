import ArgumentParser
import Dispatch
import Foundation
import Logging
import NewIPJSON
import NewIPRuntime
import NewIPSecurity
import NewIPTopology

struct RegistrarCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "registrar",
        abstract: "A domain's registrar: enrolment, signed refusals, revocation, all in a transparency log (docs/node.md).",
        subcommands: [RegistrarInit.self, RegistrarRun.self, RegistrarRevoke.self, RegistrarToken.self])
}

struct RegistrarInit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a registrar folder: its key, the domain's first-hop secret, enrolment tokens, an operator token and the log.")

    @Argument(help: "The folder to create (missing or empty).")
    var directory: String

    @Option(help: "The domain, e.g. example.net (lower-case letters, digits, '-', '.').")
    var domain: String

    @Option(help: "How many one-time enrolment tokens to create (printed, and kept in DIR/tokens).")
    var tokens = 1

    @Option(help: "The first-hop secret's epoch (0-255).")
    var epoch: UInt8 = 1

    @Option(name: .customLong("self-certifying"),
            help: "Open mode: the self-certifying prefix length in bits; a key that owns its address enrols without a token.")
    var selfCertifying: Int?

    @Option(name: .customLong("key-epoch"),
            help: "Rotate the first-hop secret with this period (e.g. 60min); the secret file is then the master, and enrolled hosts fetch each epoch's key (POST /source-key).")
    var keyEpoch: String?

    func run() throws {
        if let bits = selfCertifying, !(1...127).contains(bits) {
            throw ToolError("--self-certifying \(bits): a prefix length of 1 to 127 bits")
        }
        let period: UInt64?
        do { period = try keyEpoch.map { UInt64(try Units.duration($0)) } } catch {
            throw ToolError("--key-epoch \(keyEpoch ?? ""): \(error) (write e.g. 60min or 30s)")
        }
        if period == 0 { throw ToolError("--key-epoch: the period must be longer than 0") }
        let created: RegistrarFolder.Created
        do {
            created = try RegistrarFolder.create(directory: directory, domain: domain, tokens: tokens, epoch: epoch,
                                                 selfCertifying: selfCertifying, keyEpoch: period)
        } catch {
            throw ToolError("\(error)")
        }
        print("registrar key: \(hex(created.registrarKey))")
        print("log key: \(created.logKey)")
        for token in created.tokens { print("token: \(token)") }
        print("first-hop secret: \(directory)/\(RegistrarFolder.secretFile) (give it to the domain's first hops only)")
    }
}

struct RegistrarRun: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Serve POST /enrol, POST /revoke, GET /revocations and GET /status until SIGINT or SIGTERM.")

    @Argument(help: "The registrar folder (nip registrar init).")
    var directory: String

    @Option(help: "host:port to listen on; port 0 picks a free one.")
    var listen = "127.0.0.1:7400"

    @Option(help: "How often the decisions since the last checkpoint are published under a new signed one (e.g. 1s, 200ms).")
    var checkpointInterval = "1s"

    func run() throws {
        guard let endpoint = NodeConfig.Endpoint(listen) else { throw ValidationError("--listen takes host:port, e.g. 127.0.0.1:7400") }
        let interval: Int64
        do { interval = try Units.duration(checkpointInterval) } catch { throw ValidationError("--checkpoint-interval \(checkpointInterval): \(error)") }
        guard interval >= 10_000_000 else { throw ValidationError("--checkpoint-interval must be at least 10ms") }
        LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
        let registrar: Registrar
        do { registrar = try Registrar(directory: directory, checkpointInterval: .nanoseconds(interval)) } catch { throw ToolError("\(error)") }
        let server = RegistrarServer(registrar: registrar)
        do { try server.start(host: endpoint.host, port: endpoint.port) } catch { throw ToolError("cannot listen on \(listen): \(error)") }
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        let sources = [SIGINT, SIGTERM].map { number in
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { server.stop() }
            source.resume()
            return source
        }
        let address = server.address
        FileHandle.standardOutput.write(Data("registrar of \(registrar.domain) listening on \(address?.ipAddress ?? endpoint.host):\(address?.port ?? endpoint.port)\n".utf8))
        try withExtendedLifetime(sources) { try server.waitUntilStopped() }
    }
}

struct RegistrarRevoke: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke", abstract: "Revoke an address at a running registrar (appended to its log).")

    @Option(help: "The registrar, host:port.")
    var registrar: String

    @Option(help: "The address to revoke.")
    var address: String

    @Option(help: "The file holding the operator token (DIR/operator.token).")
    var operatorToken: String

    @Option(help: "Why (kept in the log).")
    var reason = ""

    func run() throws {
        guard let endpoint = NodeConfig.Endpoint(registrar) else { throw ValidationError("--registrar takes host:port") }
        guard let data = FileManager.default.contents(atPath: operatorToken) else { throw ToolError("cannot read \(operatorToken)") }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let body = JSONValue.object([("address", .string(address)), ("operator-token", .string(token)), ("reason", .string(reason))]).serialized
        let response = try ControlClient.request("POST", endpoint, "/revoke", body: body)
        guard response.status == 200 else { throw ToolError("\(response.request) answered \(response.status): \(response.errorMessage)") }
        print(response.body.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}

struct RegistrarToken: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Add a one-time enrolment token to a registrar folder (a running registrar reads it at once).")

    @Argument(help: "The registrar folder.")
    var directory: String

    func run() throws {
        let path = "\(directory)/\(RegistrarFolder.tokensFile)"
        guard let handle = FileHandle(forWritingAtPath: path) else { throw ToolError("cannot open \(path)") }
        let token = RegistrarFolder.newToken()
        handle.seekToEndOfFile()
        handle.write(Data((token + "\n").utf8))
        try handle.close()
        print(token)
    }
}
