import Foundation
import NewIPRuntime
import NewIPTopology
import XCTest

/// Nodes stop on a signal, ports are exclusive, a clash or a dead node is named, never hidden.
final class ProcessSafetyTests: NodeProcessTestCase {
    /// `nip up` of the chain example into `state` (a folder under the test's), on ports of this test.
    func up(_ state: String, slot: Int) throws -> (status: Int32, output: String, error: String) {
        let topology = Self.packageRoot.appendingPathComponent("Examples/chain.yaml").path
        return try run(["up", topology, "--state", state, "--base-port", "\(20000 + 10 * slot)",
                        "--control-port", "\(25000 + 10 * slot)", "--timeout", "10"])
    }

    /// Below the kernel's ephemeral range, different for each test process.
    var slot: Int { Int(getpid() % 400) }

    /// Running `nip node` processes whose configuration lies under `folder`.
    func nodesUnder(_ folder: String) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { pid in
            guard ProcessControl.isNode(pid), let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            return String(decoding: data, as: UTF8.self).contains(folder)
        }
    }

    func testSigtermAndSigintStopANodeWithinASecondWithExitStatusZero() throws {
        for number in [SIGTERM, SIGINT] {
            let (h1, _, _) = chainConfigs()
            let path = folder.appendingPathComponent("h1-\(number).yaml").path
            try h1.yaml.write(toFile: path, atomically: true, encoding: .utf8)
            let node = Process()
            node.executableURL = URL(fileURLWithPath: try nip)
            node.arguments = ["node", "--config", path]
            let log = Pipe()
            node.standardError = log
            try node.run()
            XCTAssertTrue(ControlClient.waitUntilReady(h1.control, pid: node.processIdentifier))
            kill(node.processIdentifier, number)
            let sent = Date()
            // The node stops on the signal itself (a node that ignores it never stops); the
            // one-second budget is checked on the release binary by .ci/run, not here.
            while node.isRunning && Date().timeIntervalSince(sent) < 10 { usleep(10_000) }
            XCTAssertFalse(node.isRunning, "signal \(number): the node ignored it")
            if node.isRunning { node.terminate(); kill(node.processIdentifier, SIGKILL) }
            node.waitUntilExit()
            XCTAssertEqual(node.terminationReason, .exit, "signal \(number)")
            XCTAssertEqual(node.terminationStatus, 0, "signal \(number)")
            let text = String(decoding: log.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            XCTAssertTrue(text.contains("node stopping"), text)
        }
    }

    func testASecondUpOnTakenPortsFailsNamingTheClashAndLeavesNothingRunning() throws {
        let first = try up("first", slot: slot)
        XCTAssertEqual(first.status, 0, first.error)
        started = try RunState.load(directory: folder.appendingPathComponent("first").path).nodes

        let second = try up("second", slot: slot)
        XCTAssertNotEqual(second.status, 0, second.output)
        XCTAssertFalse(second.output.contains("up: 3 nodes"), second.output)
        // The clash names the taken address: the link port, or the control endpoint answered by the first topology.
        XCTAssertNotNil(second.error.range(of: #"127\.0\.0\.1:\d+ is already in use|is answered by another process \(pid \d+, node `h1`\)"#,
                                           options: .regularExpression), second.error)
        XCTAssertEqual(nodesUnder(folder.appendingPathComponent("second").path), [], "nodes of the failed `up` still running")
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("second/state.json").path))
        // The first topology is untouched.
        let ping = try run(["ping", "--node", "h1", "--state", "first", "-c", "1", "0x04"])
        XCTAssertEqual(ping.status, 0, ping.output + ping.error)
        XCTAssertEqual(try run(["down", "--state", "first"]).status, 0)
        started = []
    }

    func testADeadNodeIsNamedByPingAndDownAndAStuckOneIsReportedKilled() throws {
        let first = try up("run", slot: slot)
        XCTAssertEqual(first.status, 0, first.error)
        let state = try RunState.load(directory: folder.appendingPathComponent("run").path)
        started = state.nodes
        let h1 = try XCTUnwrap(state.nodes.first { $0.name == "h1" })
        let r1 = try XCTUnwrap(state.nodes.first { $0.name == "r1" })
        kill(h1.pid, SIGKILL)
        waitFor { !ProcessControl.isAlive(h1.pid) }
        // r1 is stopped (SIGSTOP), so it cannot act on SIGTERM: `down` must kill it and say so.
        kill(r1.pid, SIGSTOP)

        let ping = try run(["ping", "--node", "h1", "--state", "run", "-c", "1", "0x04"])
        XCTAssertNotEqual(ping.status, 0)
        XCTAssertTrue(ping.error.contains("node h1 (pid \(h1.pid)) is not running: it exited or was killed"), ping.error)

        let down = try run(["down", "--state", "run", "--grace", "1"])
        XCTAssertEqual(down.status, 0, down.error)
        XCTAssertTrue(down.output.contains("h1 (pid \(h1.pid)) already dead"), down.output)
        XCTAssertTrue(down.output.contains("r1 (pid \(r1.pid)) did not stop within 1.0 s of SIGTERM; killed with SIGKILL"), down.output)
        XCTAssertTrue(down.output.contains("3 nodes of") && down.output.contains("1 stopped, 1 killed, 1 already dead"), down.output)
        for node in state.nodes { XCTAssertFalse(ProcessControl.isAlive(node.pid), node.name) }
        self.started = []
    }

    func testLinkApplicationAndControlPortsAreExclusiveAndAClashIsNamed() throws {
        // Another process holds what would be h1's link port, then its application port.
        for which in ["link", "app"] {
            let (h1, _, _) = chainConfigs()
            let taken: NodeConfig.Endpoint
            if which == "link", case .udp(let local, _) = h1.interfaces[0].link { taken = local } else { taken = h1.app! }
            let holder = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
            defer { close(holder) }
            var one: Int32 = 1
            // Even a holder that asks for address reuse may not share the node's port.
            setsockopt(holder, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = UInt16(taken.port).bigEndian
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(holder, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            XCTAssertEqual(bound, 0)
            let path = folder.appendingPathComponent("h1-\(which).yaml").path
            try h1.yaml.write(toFile: path, atomically: true, encoding: .utf8)
            let result = try run(["node", "--config", path])
            XCTAssertEqual(result.status, 1, which)
            let what = which == "link" ? "interface eth0 (UDP link)" : "the application port (UDP)"
            XCTAssertTrue(result.error.contains("\(what): 127.0.0.1:\(taken.port) is already in use by another process"), result.error)
        }

        // Two nodes with the same control endpoint: the second is refused, naming it.
        let (h1, _, h2) = chainConfigs()
        try startNode(h1)
        var clash = h2
        clash.control = h1.control
        let path = folder.appendingPathComponent("h2-clash.yaml").path
        try clash.yaml.write(toFile: path, atomically: true, encoding: .utf8)
        let result = try run(["node", "--config", path])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.error.contains("the control endpoint (TCP): \(h1.control) is already in use by another process"), result.error)
    }

    func testUpRefusesAStateFolderOfSomeoneElsesFilesAndReusesItsOwn() throws {
        let mine = folder.appendingPathComponent("notes")
        try FileManager.default.createDirectory(at: mine, withIntermediateDirectories: true)
        try "keep me".write(to: mine.appendingPathComponent("todo.txt"), atomically: true, encoding: .utf8)
        let refused = try up("notes", slot: slot)
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.error.contains("--state notes: the folder holds 1 entry nip did not write (todo.txt)"), refused.error)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: mine.path), ["todo.txt"])

        // A folder `up` wrote is used again after `down`.
        for _ in 0..<2 {
            let result = try up("run", slot: slot)
            XCTAssertEqual(result.status, 0, result.error)
            started = try RunState.load(directory: folder.appendingPathComponent("run").path).nodes
            XCTAssertEqual(try run(["down", "--state", "run"]).status, 0)
            started = []
        }
    }

    func testNodeNamesStandForTheirAddressesAndDownTakesTheTopologyFile() throws {
        let first = try up("run", slot: slot)
        XCTAssertEqual(first.status, 0, first.error)
        started = try RunState.load(directory: folder.appendingPathComponent("run").path).nodes
        let byName = try run(["ping", "--node", "h1", "--state", "run", "-c", "1", "h2"])
        XCTAssertEqual(byName.status, 0, byName.error)
        XCTAssertTrue(byName.output.contains("PING 0x04 from 0x01") && byName.output.contains("reply from 0x04: seq=1"), byName.output)
        let byInterface = try run(["ping", "--node", "h1", "--state", "run", "-c", "1", "r1:eth1"])
        XCTAssertEqual(byInterface.status, 0, byInterface.error)
        XCTAssertTrue(byInterface.output.contains("reply from 0x03: seq=1"), byInterface.output)
        let unknown = try run(["ping", "--node", "h1", "--state", "run", "-c", "1", "h9"])
        XCTAssertNotEqual(unknown.status, 0)
        XCTAssertTrue(unknown.error.contains("`h9` is neither an address nor a node of the running topology (h1, r1, h2)"), unknown.error)
        let noInterface = try run(["ping", "--node", "h1", "--state", "run", "-c", "1", "r1:eth7"])
        XCTAssertTrue(noInterface.error.contains("node r1 has no interface `eth7`; it has eth0, eth1"), noInterface.error)

        let wrong = try run(["down", Self.packageRoot.appendingPathComponent("Examples/lbf-dumbbell.yaml").path, "--state", "run"])
        XCTAssertNotEqual(wrong.status, 0)
        XCTAssertTrue(wrong.error.contains("is /") && wrong.error.contains("chain.yaml, not"), wrong.error)
        let down = try run(["down", Self.packageRoot.appendingPathComponent("Examples/chain.yaml").path, "--state", "run"])
        XCTAssertEqual(down.status, 0, down.error)
        XCTAssertTrue(down.output.contains("3 stopped"), down.output)
        started = []
    }

    func testPingSaysWhyTheFirstNodeDroppedItsRequests() throws {
        let first = try up("run", slot: slot)
        XCTAssertEqual(first.status, 0, first.error)
        started = try RunState.load(directory: folder.appendingPathComponent("run").path).nodes
        // h2 (0x04) is a host: it has no route to anything but its link, so 0x99 goes nowhere from it.
        let ping = try run(["ping", "--node", "h2", "--state", "run", "-c", "2", "--interval", "0", "--timeout", "0.5", "0x99"])
        XCTAssertEqual(ping.status, 1)
        XCTAssertTrue(ping.output.contains("2 sent, 0 received, 100% loss"), ping.output)
        XCTAssertTrue(ping.output.contains("no route to 0x99 at h2: it dropped 2 of the requests (no-route)"), ping.output)
        XCTAssertEqual(try run(["down", "--state", "run"]).status, 0)
        started = []
    }

    func testContractsWithAnInvertedWindowOrBadDurationsAreRefused() throws {
        let cases = [
            ("lbf:5-1ms", "contract `lbf:5-1ms`: the window's minimum 5ms is above its maximum 1ms; write the smaller bound first"),
            ("lbf:5ms", "contract `lbf:5ms`: a latency-based contract needs a window MIN-MAX"),
            ("lbf:1-xms", "contract `lbf:1-xms`: the maximum `xms` is not a duration"),
            ("fast", "contract `fast` is neither latency-based nor max-delay"),
        ]
        for (text, message) in cases {
            let result = try run(["ping", "--control", "127.0.0.1:1", "--contract", text, "0x02"])
            XCTAssertNotEqual(result.status, 0, text)
            XCTAssertTrue(result.error.contains(message), "\(text): \(result.error)")
        }
        XCTAssertEqual(try Contract(parsing: "lbf:0-50ms"), .latencyBased(min: 0, max: 50_000_000))
        XCTAssertEqual(try Contract(parsing: "lbf:5ms-0"), .latencyBased(min: 5_000_000, max: 0), "max 0: no upper bound")
        XCTAssertEqual(try Contract(parsing: "mdf:20ms"), .maxDelay(20_000_000))
    }

    func testAnEndpointThatIsAListIsNamedAsOne() {
        let yaml = """
        name: h1
        role: host
        control: [1, 2]
        interfaces:
          - {name: eth0, address: "0x01", udp: {local: 127.0.0.1:7001, peer: 127.0.0.1:7002}}
        """
        XCTAssertThrowsError(try NodeConfig.parse(yaml: yaml, file: "h1.yaml")) { error in
            XCTAssertEqual("\(error)", "h1.yaml:3:10: control is a list ([1, 2]), not a single value — write it on the same line after the colon")
        }
    }
}
