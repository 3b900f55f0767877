import Foundation
import NewIPJSON
import NewIPRuntime
import NewIPSecurity
import NewIPTopology
import NewIPWire
import XCTest

/// Bad input to the registered mode, each refused with a clear reason and counted, while the
/// rest goes on: certificates that do not verify (`nip enrol` refuses them), a request signed by
/// another key than the one it names, an enrolment flood (rate-limited), and a sender whose
/// clock is beyond a first hop's window (`stale-timestamp`).
final class RegistrarBadInputTests: NodeProcessTestCase {
    var registrarFolder: String { folder.appendingPathComponent("reg").path }

    /// `nip registrar init` and `run`: its endpoint, key and tokens.
    func startRegistrar(tokens: Int) throws -> (endpoint: NodeConfig.Endpoint, key: [UInt8], tokens: [String]) {
        let initRun = try run(["registrar", "init", registrarFolder, "--domain", "example.net", "--tokens", "\(tokens)"])
        XCTAssertEqual(initRun.status, 0, initRun.error)
        let lines = initRun.output.split(separator: "\n").map(String.init)
        let key = try XCTUnwrap(lines.first { $0.hasPrefix("registrar key: ") }.flatMap { parseHexBytes($0.dropFirst(15)) })
        let endpoint = NodeConfig.Endpoint.loopback(FreePorts.take(1)[0])
        let log = folder.appendingPathComponent("registrar.log").path
        let pid = try ProcessControl.spawn(try nip, ["registrar", "run", registrarFolder, "--listen", endpoint.description,
                                                     "--checkpoint-interval", "200ms"], log: log)
        started.append(RunState.NodeEntry(name: "registrar", pid: pid, control: endpoint.description, app: "", config: registrarFolder, log: log))
        XCTAssertTrue(ControlClient.waitUntilReady(endpoint, pid: pid))
        return (endpoint, key, lines.filter { $0.hasPrefix("token: ") }.map { String($0.dropFirst(7)) })
    }

    func refusals(_ registrar: NodeConfig.Endpoint) throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for (reason, count) in try ControlClient.request("GET", registrar, "/status").value()["refused"]?.objectValue ?? [] {
            counts[reason] = count.intValue
        }
        return counts
    }

    func testABadSignatureAndAFloodAreRefusedAndCountedAndAnHonestDeviceStillEnrols() throws {
        let registrar = try startRegistrar(tokens: 2)
        // A request naming key A, signed by key B.
        let (a, b) = (DeviceIdentity.generate(), DeviceIdentity.generate())
        let request = JSONValue.object([("key", .string(hex(a.publicKey))), ("address", .string("0x05")),
                                        ("token", .string(registrar.tokens[0])),
                                        ("time", .unsigned(unixNanoseconds() / 1_000_000_000))]).serialized
        let forged = JSONValue.object([("request", .string(request)),
                                       ("signature", .string(hex(b.sign(RegistrarMessages.requestContext + Array(request.utf8)))))])
        let answer = try ControlClient.request("POST", registrar.endpoint, "/enrol", body: forged.serialized)
        XCTAssertEqual(answer.status, 403)
        let value = try answer.value()
        XCTAssertEqual(value["refused"]?.stringValue, "bad-signature")
        XCTAssertTrue(RegistrarMessages.verifyRefusal(statement: value["statement"]?.stringValue ?? "",
                                                      signature: parseHexBytes(value["signature"]?.stringValue ?? "") ?? [],
                                                      registrarKey: registrar.key), "the refusal is signed by the registrar")
        XCTAssertEqual(try refusals(registrar.endpoint)["bad-signature"], 1)

        // A flood from one client: past the burst, 429 rate-limited, counted (not logged).
        var statuses: [Int] = []
        for _ in 0..<15 { statuses.append(try ControlClient.request("POST", registrar.endpoint, "/enrol", body: "{}").status) }
        XCTAssertEqual(statuses.prefix(9).filter { $0 == 400 }.count, 9, "\(statuses)")  // malformed, within the burst
        XCTAssertGreaterThanOrEqual(statuses.filter { $0 == 429 }.count, 5, "\(statuses)")
        let counted = try refusals(registrar.endpoint)
        XCTAssertEqual(counted["rate-limited"], statuses.filter { $0 == 429 }.count)
        XCTAssertEqual(counted["malformed"], statuses.filter { $0 == 400 }.count)

        // The registrar still serves: once the bucket refills, an honest device enrols.
        usleep(1_200_000)
        let outcome = try EnrolmentClient.enrol(registrar: registrar.endpoint, identity: a, address: compact("0x05"),
                                                token: registrar.tokens[1], registrarKey: registrar.key)
        guard case .granted(let enrolment) = outcome else { return XCTFail("\(outcome)") }
        XCTAssertEqual(enrolment.address, compact("0x05"))
    }

    /// `nip enrol` against a registrar whose answer carries a certificate that does not verify
    /// (signed by another key, expired, of another domain, its signature damaged): refused,
    /// nothing written.
    func testNipEnrolRefusesACertificateThatDoesNotVerify() throws {
        let registrar = DeviceIdentity.generate(), impostor = DeviceIdentity.generate()
        let keyPath = folder.appendingPathComponent("device.key").path
        XCTAssertEqual(try run(["key", "generate", "--out", keyPath]).status, 0)
        let device = try KeyFile.read(keyPath)
        let now = unixNanoseconds() / 1_000_000_000
        func certificate(signer: DeviceIdentity, domain: String = "example.net", notAfter: UInt64? = nil, damage: Bool = false) -> String {
            var certificate = AddressCertificate(subject: compact("0x05"), subjectKey: device.publicKey, domain: domain, serial: 1,
                                                 notBefore: now - 3600, notAfter: notAfter ?? now + 3600, issuer: signer.keyID)
            certificate.sign(with: signer)
            if damage { certificate.signature[0] ^= 1 }
            return hex(certificate.encoded)
        }
        let cases: [(String, String)] = [
            ("wrongIssuer", certificate(signer: impostor)),
            ("expired", certificate(signer: registrar, notAfter: now - 60)),
            ("wrongDomain", certificate(signer: registrar, domain: "other.net")),
            ("badSignature", certificate(signer: registrar, damage: true)),
        ]
        for (verdict, certificateHex) in cases {
            let answer = JSONValue.object([
                ("domain", .string("example.net")), ("certificate", .string(certificateHex)),
                ("registrar_key", .string(hex(registrar.publicKey))), ("epoch", .int(1)),
                ("source_key", .string(String(repeating: "ab", count: 16))), ("log_index", .int(0)),
            ]).serialized
            let server = try FakeHTTPServer(answer: answer)
            let out = folder.appendingPathComponent("\(verdict).enrolment").path
            let result = try run(["enrol", "--registrar", "127.0.0.1:\(server.port)", "--key", keyPath, "--address", "0x05",
                                  "--token", "t", "--registrar-key", hex(registrar.publicKey), "--out", out])
            server.stop()
            XCTAssertEqual(result.status, 1, verdict)
            XCTAssertTrue(result.error.contains("the registrar's certificate does not verify: \(verdict)"), result.error)
            XCTAssertFalse(FileManager.default.fileExists(atPath: out), "nothing written for \(verdict)")
        }
    }

    /// A sender whose clock is 10 s off, beyond r1's 2 s window: its packets are dropped as
    /// `stale-timestamp` (counted on the first-hop interface); packets sealed on time pass.
    func testClockSkewBeyondTheWindowIsRefusedAtTheFirstHop() throws {
        let secretPath = folder.appendingPathComponent("first-hop.secret").path
        let secret = FirstHopSecret.random(epoch: 1)
        try FirstHopSecretFile.write(secret, to: secretPath)
        var (_, r1, h2) = chainConfigs(lbfTowardsH2: false)
        r1.security = NodeConfig.Security(admission: .registered, firstHop: ["eth0"], secret: secretPath, window: 2_000_000_000)
        try startNode(h2)
        try startNode(r1)
        guard case .udp(let r1Port, let hostPort) = r1.interfaces[0].link else { return XCTFail("not udp") }
        // The host is this test: a socket on h1's side of the link.
        let host = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(host) }
        var local = sockaddr_in(), remote = sockaddr_in()
        local.sin_family = sa_family_t(AF_INET)
        local.sin_addr.s_addr = inet_addr("127.0.0.1")
        local.sin_port = in_port_t(UInt16(hostPort.port).bigEndian)
        remote = local
        remote.sin_port = in_port_t(UInt16(r1Port.port).bigEndian)
        XCTAssertEqual(withUnsafePointer(to: &local) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(host, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }, 0)
        var sender = SourceAuthSender(key: secret.sourceKey(for: compact("0x01")))
        func sealed(skew: Int64) throws -> [UInt8] {
            let extensions = sender.placeholder().extensionItem
            let header = CompactHeader(ttl: 64, nextHeader: .udp, destination: CompactAddress("0x02")!,
                                       source: CompactAddress("0x01")!, extensionLength: extensions.count)
            var bytes = header.bytes(extensions: extensions) + [UInt8](repeating: 0, count: 16)
            try bytes.withUnsafeMutableBytes {
                try sender.seal($0, dialect: .compact, now: UInt64(Int64(unixNanoseconds()) + skew))
            }
            return bytes
        }
        func send(_ bytes: [UInt8]) {
            _ = bytes.withUnsafeBytes { data in
                withUnsafePointer(to: &remote) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        sendto(host, data.baseAddress, data.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                    }
                }
            }
        }
        for _ in 0..<3 { send(try sealed(skew: -10_000_000_000)) }
        for _ in 0..<2 { send(try sealed(skew: 0)) }
        try waitFor {
            let counters = try ControlClient.request("GET", r1.control, "/counters").value()
            return counters["interfaces"]?["eth0"]?["drops"]?["stale-timestamp"]?.intValue == 3
                && counters["interfaces"]?["eth1"]?["tx_packets"]?.intValue == 2
        }
        let security = try ControlClient.request("GET", r1.control, "/security").value()
        XCTAssertEqual(security["proven"]?.intValue, 2)
    }
}

/// Answers every HTTP request with `answer` (200, JSON) until stopped: a registrar that lies.
final class FakeHTTPServer: @unchecked Sendable {
    let port: Int
    private let listener: Int32
    private let thread: Thread

    init(answer: String) throws {
        listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let fd = listener
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound, listen(fd, 8) == 0 else { throw ToolError("cannot listen") }
        port = Int(UInt16(bigEndian: address.sin_port))
        let response = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(answer.utf8.count)\r\nConnection: close\r\n\r\n\(answer)"
        thread = Thread {
            while true {
                let client = accept(fd, nil, nil)
                guard client >= 0 else { return }
                var buffer = [UInt8](repeating: 0, count: 65536)
                var received = ""
                while !received.contains("\r\n\r\n") || !Self.complete(received) {
                    let n = read(client, &buffer, buffer.count)
                    if n <= 0 { break }
                    received += String(decoding: buffer[0..<n], as: UTF8.self)
                }
                _ = Array(response.utf8).withUnsafeBytes { write(client, $0.baseAddress, $0.count) }
                close(client)
            }
        }
        thread.start()
    }

    /// Whether the request's body, by its Content-Length, has all arrived.
    static func complete(_ text: String) -> Bool {
        guard let split = text.range(of: "\r\n\r\n") else { return false }
        let head = text[..<split.lowerBound].lowercased()
        guard let line = head.split(separator: "\r\n").first(where: { $0.hasPrefix("content-length:") }),
              let length = Int(line.dropFirst(15).trimmingCharacters(in: .whitespaces)) else { return true }
        return text[split.upperBound...].utf8.count >= length
    }

    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }
}
