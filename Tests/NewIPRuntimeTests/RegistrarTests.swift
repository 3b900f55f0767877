import Foundation
import NewIPJSON
import NewIPLog
import NewIPRuntime
import NewIPSecurity
import NewIPTopology
import NewIPWire
import XCTest

/// The registered mode with real processes on loopback: `nip registrar` (init, run), `nip enrol`,
/// a first hop that verifies (h1 — r1 — h2, with an unenrolled h3 on r1 too), and revocation
/// through the transparency log, its time to enforcement measured.
final class RegistrarTests: NodeProcessTestCase {
    let interval = 1.0
    var registrarFolder: String { folder.appendingPathComponent("reg").path }

    struct Setup {
        var registrar: NodeConfig.Endpoint
        var registrarKey: [UInt8]
        var tokens: [String]
        var operatorToken: String
        /// The registrar's log key, as `nip registrar init` prints it.
        var logKey: String
    }

    /// `nip registrar init` and `nip registrar run`, ready.
    func startRegistrar(tokens: Int) throws -> Setup {
        let initRun = try run(["registrar", "init", registrarFolder, "--domain", "example.net", "--tokens", "\(tokens)"])
        XCTAssertEqual(initRun.status, 0, initRun.error)
        let lines = initRun.output.split(separator: "\n").map(String.init)
        let key = try XCTUnwrap(lines.first { $0.hasPrefix("registrar key: ") }.flatMap { parseHexBytes($0.dropFirst(15)) })
        let tokenList = lines.filter { $0.hasPrefix("token: ") }.map { String($0.dropFirst(7)) }
        let logKey = try XCTUnwrap(lines.first { $0.hasPrefix("log key: ") }.map { String($0.dropFirst(9)) })
        XCTAssertEqual(tokenList.count, tokens)
        for file in [RegistrarFolder.keyFile, RegistrarFolder.secretFile, RegistrarFolder.tokensFile, RegistrarFolder.operatorFile] {
            let mode = try FileManager.default.attributesOfItem(atPath: "\(registrarFolder)/\(file)")[.posixPermissions] as? Int
            XCTAssertEqual(mode, 0o600, file)
        }
        let port = FreePorts.take(1)[0]
        let endpoint = NodeConfig.Endpoint.loopback(port)
        let log = folder.appendingPathComponent("registrar.log").path
        let pid = try ProcessControl.spawn(try nip, ["registrar", "run", registrarFolder, "--listen", endpoint.description,
                                                     "--checkpoint-interval", "\(Int(interval * 1000))ms"], log: log)
        started.append(RunState.NodeEntry(name: "registrar", pid: pid, control: endpoint.description, app: "", config: registrarFolder, log: log))
        guard ControlClient.waitUntilReady(endpoint, pid: pid) else {
            throw ToolError("the registrar did not start: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
        }
        let operatorToken = try String(contentsOfFile: "\(registrarFolder)/\(RegistrarFolder.operatorFile)", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return Setup(registrar: endpoint, registrarKey: key, tokens: tokenList, operatorToken: operatorToken, logKey: logKey)
    }

    /// `nip key generate` and `nip enrol`: the enrolment file's path.
    func enrol(_ name: String, address: String, token: String, setup: Setup) throws -> String {
        let key = folder.appendingPathComponent("\(name).key").path
        XCTAssertEqual(try run(["key", "generate", "--out", key]).status, 0)
        let out = folder.appendingPathComponent("\(name)-\(address).enrolment").path
        let result = try run(["enrol", "--registrar", setup.registrar.description, "--key", key, "--address", address,
                              "--token", token, "--registrar-key", hex(setup.registrarKey), "--out", out])
        XCTAssertEqual(result.status, 0, result.error)
        XCTAssertTrue(result.output.contains("enrolled \(address) in example.net"), result.output)
        return out
    }

    /// h1 (enrolled, on r1's eth0) — r1 (first hop on eth0 and eth2, registered) — h2; h3 (not enrolled) on r1's eth2.
    func configs(setup: Setup, h1Address: String = "0x01", h1Enrolment: String?, noticesKey: String? = nil,
                 dialect: PacketDialect = .compact) -> (h1: NodeConfig, r1: NodeConfig, h2: NodeConfig, h3: NodeConfig) {
        let p = FreePorts.take(14)
        let toAll = [NodeConfig.StaticRoute(prefix: .compact(.all), interface: "eth0", toDelay: 2_000_000, toHops: 2)]
        var h1 = NodeConfig(name: "h1", role: .host, dialect: dialect, interfaces: [
            .init(name: "eth0", address: compact(h1Address), link: .udp(local: .loopback(p[0]), peer: .loopback(p[1]))),
        ], routes: toAll, control: .loopback(p[6]), app: .loopback(p[7]))
        h1.security = h1Enrolment.map { NodeConfig.Security(enrolment: $0) }
        var r1 = NodeConfig(name: "r1", role: .router, dialect: dialect, interfaces: [
            .init(name: "eth0", address: compact("0x10"), link: .udp(local: .loopback(p[1]), peer: .loopback(p[0]))),
            .init(name: "eth1", address: compact("0x11"), link: .udp(local: .loopback(p[2]), peer: .loopback(p[3]))),
            .init(name: "eth2", address: compact("0x12"), link: .udp(local: .loopback(p[4]), peer: .loopback(p[5]))),
        ], routes: [
            .init(prefix: .compact(CompactAddressPrefix(exactly: CompactAddress("0x02")!)), interface: "eth1"),
            .init(prefix: .compact(CompactAddressPrefix(exactly: CompactAddress("0x03")!)), interface: "eth2"),
        ], control: .loopback(p[8]), app: .loopback(p[9]))
        r1.security = NodeConfig.Security(admission: .registered, firstHop: ["eth0", "eth2"],
                                          secret: "\(registrarFolder)/\(RegistrarFolder.secretFile)", registrar: setup.registrar,
                                          checkpointInterval: Int64(interval * 1e9), noticesKey: noticesKey, logKey: setup.logKey)
        let h2 = NodeConfig(name: "h2", role: .host, dialect: dialect, interfaces: [
            .init(name: "eth0", address: compact("0x02"), link: .udp(local: .loopback(p[3]), peer: .loopback(p[2]))),
        ], routes: toAll, control: .loopback(p[10]), app: .loopback(p[11]))
        let h3 = NodeConfig(name: "h3", role: .host, dialect: dialect, interfaces: [
            .init(name: "eth0", address: compact("0x03"), link: .udp(local: .loopback(p[5]), peer: .loopback(p[4]))),
        ], routes: toAll, control: .loopback(p[12]), app: .loopback(p[13]))
        return (h1, r1, h2, h3)
    }

    /// Sends `count` datagrams from `from` to h2's port 5000 and returns how many h2's listener got.
    func sendAndCount(from: NodeConfig, to h2: NodeConfig, count: Int) throws -> Int {
        let (fromApp, toApp) = (from.app!, h2.app!)
        return try runBlocking {
            let listener = try await NewIPDatagramSocket.bind(node: toApp, port: 5000)
            let sender = try await NewIPDatagramSocket.bind(node: fromApp, port: 0)
            let collector = Task { () -> Int in
                var received = 0
                for await _ in listener.datagrams {
                    received += 1
                    if received == count { break }
                }
                return received
            }
            for sequence in 1...count { try sender.send(Array("\(sequence)".utf8), to: compact("0x02"), port: 5000) }
            let timeout = Task {
                try await Task.sleep(nanoseconds: 2_000_000_000)
                collector.cancel()
            }
            let received = await collector.value
            timeout.cancel()
            await sender.close()
            await listener.close()
            return received
        }
    }

    /// Revokes `address` at the registrar and sends from `h1` every 5 ms until r1 counts the
    /// first `revoked` drop on eth0: the seconds from the revoke call to that drop.
    func revokeAndMeasure(_ address: String, h1: NodeConfig, r1: NodeConfig, setup: Setup) throws -> Double {
        let (app, control) = (h1.app!, r1.control)
        let before = revokedDrops(control)
        let start = Date()
        let body = JSONValue.object([("address", .string(address)), ("operator-token", .string(setup.operatorToken))]).serialized
        let answer = try ControlClient.request("POST", setup.registrar, "/revoke", body: body)
        XCTAssertEqual(answer.status, 200, answer.body)
        let elapsed = try runBlocking { () -> Double? in
            let sender = try await NewIPDatagramSocket.bind(node: app, port: 0)
            defer { Task { await sender.close() } }
            while Date().timeIntervalSince(start) < 10 {
                try sender.send(Array("after".utf8), to: compact("0x02"), port: 5000)
                if revokedDrops(control) > before { return Date().timeIntervalSince(start) }
                try await Task.sleep(nanoseconds: 5_000_000)
            }
            return nil
        }
        return try XCTUnwrap(elapsed, "r1 never dropped \(address) as revoked")
    }

    func testEnrolmentFirstHopsThatVerifyAndRevocationThroughTheLog() throws {
        let setup = try startRegistrar(tokens: 3)
        // Enrolment granted: a certificate the registrar key verifies, binding h1's key to 0x01.
        let enrolmentPath = try enrol("h1", address: "0x01", token: setup.tokens[0], setup: setup)
        let mode = try FileManager.default.attributesOfItem(atPath: enrolmentPath)[.posixPermissions] as? Int
        XCTAssertEqual(mode, 0o600)
        let enrolment = try Enrolment.read(enrolmentPath)
        XCTAssertEqual(enrolment.certificate.verify(registrarKey: setup.registrarKey, domain: "example.net",
                                                    now: UInt64(Date().timeIntervalSince1970)), .valid)
        XCTAssertEqual(enrolment.address, compact("0x01"))
        let h1Key = try KeyFile.read(folder.appendingPathComponent("h1.key").path)
        XCTAssertEqual(enrolment.certificate.subjectKey, h1Key.publicKey)

        // Token reuse: refused, with a machine-readable reason the registrar signed.
        let reuse = try run(["enrol", "--registrar", setup.registrar.description, "--key", folder.appendingPathComponent("h1.key").path,
                             "--address", "0x07", "--token", setup.tokens[0], "--registrar-key", hex(setup.registrarKey),
                             "--out", folder.appendingPathComponent("again.enrolment").path])
        XCTAssertEqual(reuse.status, 1)
        XCTAssertTrue(reuse.error.contains("refused: token-used (signature verified)"), reuse.error)
        let other = DeviceIdentity.generate()
        let outcome = try EnrolmentClient.enrol(registrar: setup.registrar, identity: other, address: compact("0x08"),
                                                token: setup.tokens[0], registrarKey: setup.registrarKey)
        guard case .refused(let reason, let statement, let valid) = outcome else { return XCTFail("token reuse was granted") }
        XCTAssertEqual(reason, "token-used")
        XCTAssertEqual(valid, true)
        XCTAssertEqual(try JSONValue.parse(statement)["refused"]?.stringValue, "token-used")

        // The chain: h1's sealed datagrams reach h2 through the registered first hop; h3's are dropped.
        // r1 signs refusal notices with its own key.
        let r1Key = folder.appendingPathComponent("r1.key").path
        let r1Identity = DeviceIdentity.generate()
        try KeyFile.write(r1Identity, to: r1Key)
        let (h1, r1, h2, h3) = configs(setup: setup, h1Enrolment: enrolmentPath, noticesKey: r1Key)
        for config in [r1, h2, h1, h3] { try startNode(config) }
        XCTAssertEqual(try sendAndCount(from: h1, to: h2, count: 20), 20)
        XCTAssertEqual(try drops(r1, "eth0"), [:], "nothing of h1's dropped")
        XCTAssertEqual(try sendAndCount(from: h3, to: h2, count: 5), 0)
        XCTAssertEqual(try drops(r1, "eth2")["unauthenticated"], 5)
        // h3 heard why, five times (within r1's bucket), in notices r1's key signed.
        XCTAssertEqual(try ControlClient.request("GET", r1.control, "/security").json?["refusal_notices"] as? Int, 5)
        try waitFor { (try self.counters(h3)["delivered"] as? Int) == 5 }
        // And r1's log says so (rate-limited: one line for the burst).
        waitFor {
            let log = (try? String(contentsOf: self.folder.appendingPathComponent("r1.log"), encoding: .utf8)) ?? ""
            return log.contains("refused a packet from 0x03 at the first hop (unauthenticated)")
        }
        let security = try XCTUnwrap(try ControlClient.request("GET", r1.control, "/security").json)
        XCTAssertEqual(security["admission"] as? String, "registered")
        XCTAssertEqual(security["proven"] as? Int, 20)
        XCTAssertEqual(security["revoked"] as? Int, 0)
        let h1Security = try XCTUnwrap(try ControlClient.request("GET", h1.control, "/security").json)
        XCTAssertEqual((h1Security["enrolled"] as? [String: Any])?["sealed"] as? Int, 20)

        // Revocation: enforced at r1 within the poll interval after the registrar's checkpoint.
        let seconds = try revokeAndMeasure("0x01", h1: h1, r1: r1, setup: setup)
        XCTAssertLessThanOrEqual(seconds, 2 * interval + 0.5, "revocation took \(seconds) s to reach the first hop")
        let after = try XCTUnwrap(try ControlClient.request("GET", r1.control, "/security").json)
        XCTAssertEqual(after["revoked_addresses"] as? [String], ["0x01"])
        // Proven in the registrar's signed log: nothing refused.
        let poll = try XCTUnwrap(after["revocations"] as? [String: Any])
        XCTAssertEqual(poll["log_verified"] as? Bool, true)
        XCTAssertEqual(poll["refused_answers"] as? Int, 0)
        XCTAssertEqual(poll["unproven_revocations"] as? Int, 0)
        XCTAssertEqual(try sendAndCount(from: h1, to: h2, count: 3), 0, "h1 is refused from now on")

        // The log verifies and holds the enrolment, the refusals and the revocation.
        usleep(UInt32(interval * 1.2 * 1e6))
        let verify = try run(["log", "verify", "\(registrarFolder)/\(RegistrarFolder.logFolder)"])
        XCTAssertEqual(verify.status, 0, verify.error)
        let entries = try logEntries()
        XCTAssertTrue(entries.contains { $0["type"]?.stringValue == "enrolment" && $0["decision"]?.stringValue == "granted"
                && $0["address"]?.stringValue == "0x01" && $0["key"]?.stringValue == hex(h1Key.publicKey) }, "\(entries)")
        XCTAssertEqual(entries.filter { $0["decision"]?.stringValue == "refused" && $0["reason"]?.stringValue == "token-used" }.count, 2)
        XCTAssertTrue(entries.contains { $0["type"]?.stringValue == "revocation" && $0["address"]?.stringValue == "0x01" }, "\(entries)")
        XCTAssertFalse(entries.contains { $0.serialized.contains(setup.tokens[0]) }, "the log keeps token hashes, never tokens")
    }

    /// Several revocations, each of a freshly enrolled h1: the time from the revoke call to r1's
    /// first `revoked` drop. Writes the times as JSON to `NIP_REVOCATION_JSON` when set
    /// (scripts/revocation-bench.sh renders BENCHMARKS.md's section from it).
    func testRevocationToFirstDropTimes() throws {
        let runs = Int(ProcessInfo.processInfo.environment["NIP_REVOCATION_RUNS"] ?? "") ?? 3
        let setup = try startRegistrar(tokens: runs)
        var times: [Double] = []
        var nodes: (h1: NodeConfig, r1: NodeConfig, h2: NodeConfig, h3: NodeConfig)?
        for run in 0..<runs {
            let address = String(format: "0x%02X", 0x21 + run)
            let enrolment = try enrol("h\(run)", address: address, token: setup.tokens[run], setup: setup)
            if nodes == nil {
                nodes = configs(setup: setup, h1Address: address, h1Enrolment: enrolment)
                for config in [nodes!.r1, nodes!.h2] { try startNode(config) }
            } else {
                // A new h1 on the same link: the previous one stops first (its ports are reused).
                let previous = started.filter { $0.name == "h1" }
                XCTAssertTrue(ProcessControl.stopAll(previous).isEmpty)
                started.removeAll { $0.name == "h1" }
                nodes!.h1.interfaces[0].address = compact(address)
                nodes!.h1.security = NodeConfig.Security(enrolment: enrolment)
            }
            try startNode(nodes!.h1)
            XCTAssertEqual(try sendAndCount(from: nodes!.h1, to: nodes!.h2, count: 5), 5, "run \(run): enrolled h1 delivered")
            let seconds = try revokeAndMeasure(address, h1: nodes!.h1, r1: nodes!.r1, setup: setup)
            XCTAssertLessThanOrEqual(seconds, 2 * interval + 0.5)
            times.append(seconds)
        }
        if let path = ProcessInfo.processInfo.environment["NIP_REVOCATION_JSON"] {
            let sorted = times.sorted()
            let json = JSONValue.object([
                ("checkpoint_interval_s", .decimal(interval, digits: 3)), ("runs", .int(times.count)),
                ("seconds", .array(times.map { .decimal($0, digits: 3) })),
                ("min_s", .decimal(sorted.first ?? 0, digits: 3)), ("median_s", .decimal(sorted[sorted.count / 2], digits: 3)),
                ("max_s", .decimal(sorted.last ?? 0, digits: 3)), ("bound_s", .decimal(2 * interval, digits: 3)),
            ])
            try (json.indentedText + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        }
        print("revocation to first drop (s): \(times.map { String(format: "%.3f", $0) }.joined(separator: ", "))")
    }

    /// The framework dialect: the host adds the authenticator as a contract clause (0x0011).
    func testFrameworkHostsSealTheirPacketsToo() throws {
        let setup = try startRegistrar(tokens: 1)
        let enrolment = try enrol("h1", address: "0x01", token: setup.tokens[0], setup: setup)
        let (h1, r1, h2, h3) = configs(setup: setup, h1Enrolment: enrolment, dialect: .framework)
        for config in [r1, h2, h1, h3] { try startNode(config) }
        XCTAssertEqual(try sendAndCount(from: h1, to: h2, count: 10), 10)
        XCTAssertEqual(try sendAndCount(from: h3, to: h2, count: 2), 0)
        XCTAssertEqual(try drops(r1, "eth2")["unauthenticated"], 2)
        let security = try XCTUnwrap(try ControlClient.request("GET", r1.control, "/security").json)
        XCTAssertEqual(security["proven"] as? Int, 10)
    }

    func logEntries() throws -> [JSONValue] {
        let directory = "\(registrarFolder)/\(RegistrarFolder.logFolder)"
        let key = try NoteVerifier(parsing: String(contentsOfFile: "\(directory)/\(LogWriter.verifierFile)", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines))
        let reader = try LogReader(source: DirectorySource(directory), key: key)
        try reader.verifyAll()
        var entries: [JSONValue] = []
        for bundle in 0..<((reader.checkpoint.size + 255) / 256) {
            for entry in try reader.bundle(bundle) { entries.append(try JSONValue.parse(Array(entry))) }
        }
        return entries
    }

    func testNodeFileSecuritySectionRoundTripsAndItsMistakesArePlaced() throws {
        var router = NodeConfig(name: "r1", interfaces: [
            .init(name: "eth0", address: compact("0x10"), link: .udp(local: .loopback(7001), peer: .loopback(7002))),
        ], control: .loopback(7100))
        router.security = NodeConfig.Security(admission: .registered, firstHop: ["eth0"], secret: "domain.secret",
                                              window: 500_000_000, registrar: .loopback(7400), checkpointInterval: 200_000_000)
        XCTAssertEqual(try NodeConfig.parse(yaml: router.yaml), router)
        var host = NodeConfig(name: "h1", role: .host, interfaces: router.interfaces, control: .loopback(7100))
        host.security = NodeConfig.Security(enrolment: "h1.enrolment")
        XCTAssertEqual(try NodeConfig.parse(yaml: host.yaml), host)

        let wrong = router.yaml.replacingOccurrences(of: "first-hop: [eth0]", with: "first-hop: [eht0]")
            .replacingOccurrences(of: "admission: registered", with: "admission: registred")
        XCTAssertThrowsError(try NodeConfig.parse(yaml: wrong, file: "r1.yaml")) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("no interface `eht0` (did you mean `eth0`?)"), text)
            XCTAssertTrue(text.contains("r1.yaml:"), text)
            XCTAssertTrue(text.contains("registred"), text)
        }
        let hostWithSecret = host.yaml + "  secret: domain.secret\n"
        XCTAssertThrowsError(try NodeConfig.parse(yaml: hostWithSecret, file: "h1.yaml")) { error in
            XCTAssertTrue("\(error)".contains("`secret` is for the first-hop router"), "\(error)")
        }
    }
}

/// r1's `revoked` drops on eth0 (-1 when the answer cannot be read).
func revokedDrops(_ control: NodeConfig.Endpoint) -> Int {
    let json = try? ControlClient.request("GET", control, "/counters").json
    let eth0 = (json?["interfaces"] as? [String: Any])?["eth0"] as? [String: Any]
    return ((eth0?["drops"] as? [String: Int])?["revoked"]) ?? 0
}
