import Foundation
import NewIPCapture
import NewIPDataPlane
import NewIPNode
import NewIPEmulator
import NewIPJSON
import NewIPRuntime
import NewIPTopology
import NewIPWire
import XCTest

/// `nip up` / `down` on the emulator's own topology files, and `nip capture`.
final class ToolTests: NodeProcessTestCase {
    func testUpPingCaptureDownOnTheEmulatorsChain() throws {
        let topology = Self.packageRoot.appendingPathComponent("Examples/chain.yaml").path
        // Below the kernel's ephemeral range (32768–60999), so no client socket can take them.
        let slot = Int(getpid() % 400)
        let up = try run(["up", topology, "--state", "run", "--base-port", "\(20000 + 10 * slot)",
                          "--control-port", "\(25000 + 10 * slot)"])
        XCTAssertEqual(up.status, 0, up.error)
        let state = try RunState.load(directory: folder.appendingPathComponent("run").path)
        started = state.nodes
        XCTAssertEqual(state.nodes.map(\.name), ["h1", "r1", "h2"])

        let capture = Process()
        capture.executableURL = URL(fileURLWithPath: try nip)
        capture.currentDirectoryURL = folder
        let pcap = folder.appendingPathComponent("r1.pcapng").path
        capture.arguments = ["capture", "--node", "r1", "--state", "run", "eth1", "-o", pcap, "--count", "4", "--duration", "10"]
        let captureErrors = Pipe()
        capture.standardError = captureErrors
        try capture.run()
        XCTAssertTrue(waitForOutput(captureErrors, containing: "capturing r1:eth1"), "capture never started")
        let ping = try run(["ping", "--node", "h1", "--state", "run", "-c", "2", "0x04"])
        XCTAssertEqual(ping.status, 0, ping.error)
        XCTAssertTrue(ping.output.contains("reply from 0x04: seq=1"), ping.output)
        // 1 ms configured per link, plus the real time in two nodes (whole ms; more on a loaded machine).
        let experienced = ping.output.firstMatch(of: #/hops=2 \(back 2\) experienced=(\d+) ms/#).flatMap { Int($0.1) }
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(experienced, ping.output), 2, ping.output)
        XCTAssertTrue(ping.output.contains("2 sent, 2 received, 0% loss"), ping.output)
        capture.waitUntilExit()
        XCTAssertEqual(capture.terminationStatus, 0)

        let tsharkAvailable = FileManager.default.isExecutableFile(atPath: "/usr/bin/tshark")
        if tsharkAvailable {
            let tshark = Process()
            tshark.executableURL = URL(fileURLWithPath: "/usr/bin/tshark")
            tshark.arguments = ["-r", pcap, "-T", "fields", "-e", "eth.type", "-e", "frame.len"]
            let out = Pipe()
            tshark.standardOutput = out
            tshark.standardError = Pipe()
            try tshark.run()
            let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            tshark.waitUntilExit()
            let rows = text.split(separator: "\n")
            XCTAssertEqual(rows.count, 4, text)
            XCTAssertTrue(rows.allSatisfy { $0.hasPrefix("0xeadd") }, text)
        }
        let packets = try CaptureReader.readAll([UInt8](Data(contentsOf: URL(fileURLWithPath: pcap)))).map(\.data)
        XCTAssertEqual(packets.count, 4)
        // Requests out towards h2 and replies in from it, each a valid compact header from 0x01 or 0x04.
        let sources = packets.compactMap { frame -> FrameworkAddress? in
            Array(frame.dropFirst(14)).withUnsafeBytes { ParsedPacket($0, dialect: .compact)?.source }
        }
        XCTAssertEqual(Set(sources), [compact("0x01"), compact("0x04")])

        let down = try run(["down", "--state", "run"])
        XCTAssertEqual(down.status, 0, down.error)
        for node in state.nodes { XCTAssertFalse(ProcessControl.isAlive(node.pid), "\(node.name) still running") }
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("run/state.json").path))
        started = []
        let again = try run(["down", "--state", "run"])
        XCTAssertEqual(again.status, 0)
        XCTAssertTrue(again.output.contains("nothing to stop"))
        if !tsharkAvailable {
            throw XCTSkip("testUpPingCaptureDownOnTheEmulatorsChain: tshark is not installed (apt-get install tshark), "
                          + "so the capture was not read by tshark; the rest ran")
        }
    }

    func testUpWithNetnsRunsTheSameFileOverVeth() throws {
        let probe = "nipt-probe-\(getpid())"
        guard ProcessControl.shell("ip netns add \(probe)").status == 0 else {
            throw XCTSkip("network namespaces are not permitted here; `nip up --netns` needs root")
        }
        ProcessControl.shell("ip netns del \(probe)")
        let topology = Self.packageRoot.appendingPathComponent("Examples/chain.yaml").path
        let slot = Int(getpid() % 400)
        let up = try run(["up", "--netns", topology, "--state", "run", "--control-port", "\(25000 + 10 * slot)"])
        XCTAssertEqual(up.status, 0, up.error)
        let state = try RunState.load(directory: folder.appendingPathComponent("run").path)
        started = state.nodes
        XCTAssertEqual(state.namespaces, ["nip-chain-h1", "nip-chain-r1", "nip-chain-h2"])
        defer { ProcessControl.deleteNamespaces(state.namespaces ?? []) }
        let ping = try run(["ping", "--node", "h1", "--state", "run", "-c", "2", "0x04"])
        XCTAssertEqual(ping.status, 0, ping.output + ping.error)
        XCTAssertTrue(ping.output.contains("2 received, 0% loss"), ping.output)
        // The nodes require the run's token (the state file names it).
        let token = try NodeAuth.read(try XCTUnwrap(state.token))
        XCTAssertEqual(try ControlClient.request("GET", NodeConfig.Endpoint(state.nodes[1].control)!, "/interfaces", token: nil).status, 401)
        let interfaces = try ControlClient.request("GET", NodeConfig.Endpoint(state.nodes[1].control)!, "/interfaces", token: token).body
        XCTAssertTrue(interfaces.contains("\"netns\": \"nip-chain-r1\""), interfaces)
        // The links' rate (1 Gbps in the file) is on the veth devices; delay too where the kernel has netem.
        let qdisc = ProcessControl.shell("ip netns exec nip-chain-r1 tc qdisc show dev eth1").output
        XCTAssertTrue(qdisc.contains("rate 1Gbit"), qdisc)
        if qdisc.contains("netem") {
            XCTAssertTrue(qdisc.contains("delay 1ms"), qdisc)
        } else {
            XCTAssertTrue(up.error.contains("warning: this kernel has no netem queueing discipline") && up.error.contains("eth1 in nip-chain-r1 (delay 1ms)"), up.error)
        }
        let down = try run(["down", "--state", "run"])
        XCTAssertEqual(down.status, 0, down.error)
        started = []
        let left = ProcessControl.shell("ip netns list").output
        XCTAssertFalse(left.contains("nip-chain-"), left)
    }

    func testManyNetsTopologyBecomesGatewayAndKernelSides() throws {
        let topology = try TopologyParser.load(path: Self.packageRoot.appendingPathComponent("Examples/manynets-gateway.yaml").path)
        XCTAssertNotNil(TopologyDeployment.problem(with: topology, namespaces: false))
        XCTAssertNil(TopologyDeployment.problem(with: topology, namespaces: true))
        let spaces = TopologyDeployment.Namespaces(prefix: "nip-m")
        let configs = TopologyDeployment.configs(for: topology, namespaces: spaces)
        // core and server have only IP interfaces: the kernel runs them, no node process.
        XCTAssertEqual(configs.map(\.name), ["sensor1", "sensor2", "sensor3", "hub", "gw"])
        let gw = configs[4]
        XCTAssertEqual(gw.role, .gateway)
        XCTAssertEqual(gw.interfaces.map(\.name), ["island", TopologyDeployment.tunName])
        guard case .tun(let device, let namespace, let tunRoutes, _) = gw.interfaces[1].link else { return XCTFail("no tun") }
        XCTAssertEqual(device, "nip-tun")
        XCTAssertEqual(namespace, "nip-m-gw")
        XCTAssertEqual(tunRoutes.map(\.description), ["2001:db8:f::/64"])
        XCTAssertEqual(gw.mapping?.ipv6(for: CompactAddress("0x05")!, port: 1)?.address, IPv6Address("2001:db8:f:0:500::"))
        let viaTun = gw.routes.filter { $0.interface == TopologyDeployment.tunName }.map { RouteText.text($0.prefix) }
        XCTAssertEqual(Set(viaTun), ["0xF11400/24", "0xF1/8"])
        XCTAssertFalse(gw.routes.contains { $0.prefix.description.contains(":") }, "IP routes are the kernel's")
        // What `nip up` writes reads back the same.
        XCTAssertEqual(try NodeConfig.parse(yaml: gw.yaml), gw)
        // The kernel side: addresses, neighbour routes, forwarding and the emulator's IP routes.
        let commands = spaces.commands(for: topology)
        for expected in ["ip -n nip-m-core addr add 2001:db8:1::2/128 dev gw nodad",
                         "ip -n nip-m-core route replace 2001:db8:1::1/128 dev gw",
                         "ip netns exec nip-m-core sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1",
                         "ip -n nip-m-core route replace 2001:db8:f::/64 via 2001:db8:1::1 dev gw",
                         "ip -n nip-m-server route replace 2001:db8:f::/64 via 2001:db8::1 dev eth0"] {
            XCTAssertTrue(commands.contains(expected), "missing `\(expected)` in:\n\(commands.joined(separator: "\n"))")
        }
        XCTAssertFalse(commands.contains { $0.contains("nip-m-server sysctl") }, "a host does not forward")
    }

    func testTopologyBecomesNodeConfigurationsWithShortestDelayRoutes() throws {
        let topology = try TopologyParser.load(path: Self.packageRoot.appendingPathComponent("Examples/chain.yaml").path)
        let configs = TopologyDeployment.configs(for: topology)
        XCTAssertEqual(configs.map(\.name), ["h1", "r1", "h2"])
        let r1 = configs[1]
        XCTAssertEqual(r1.interfaces.map(\.delay), [1_000_000, 1_000_000])
        let toH2 = r1.routes.first { RouteText.text($0.prefix) == "0x04/8" }
        XCTAssertEqual(toH2?.interface, "eth1")
        XCTAssertEqual(toH2?.toDelay, 1_000_000)
        XCTAssertEqual(toH2?.toHops, 1)
        let h1ToH2 = configs[0].routes.first { RouteText.text($0.prefix) == "0x04/8" }
        XCTAssertEqual(h1ToH2?.toDelay, 2_000_000)
        XCTAssertEqual(h1ToH2?.toHops, 2)
        // What `nip up` writes reads back the same.
        XCTAssertEqual(try NodeConfig.parse(yaml: r1.yaml), r1)
    }
}

/// The control API and the run state in the one JSON encoding (`JSONValue`): names that need
/// escaping come back exactly, fields keep their names, and a broken field is named.
final class ControlJSONTests: XCTestCase {
    /// Quotes, a backslash, control characters, non-ASCII and an emoji.
    static let awkward = "r\"1\\ \u{01}\t\n\u{1F} é 日本 🙂"

    func testControlAnswersEscapeAwkwardNodeAndInterfaceNames() throws {
        let p = FreePorts.take(3)
        let interface = "eth\"0\\\u{02}ü"
        let config = NodeConfig(name: Self.awkward, role: .router, interfaces: [
            .init(name: interface, address: compact("0x10"), link: .udp(local: .loopback(p[0]), peer: .loopback(p[1])), delay: 1_000_000),
        ], routes: [.init(prefix: .compact(CompactAddressPrefix(exactly: CompactAddress("0x02")!)), interface: interface, toDelay: 1_000_000)],
        control: .loopback(p[2]))
        let node = Node(config: config)
        try node.start()
        defer {
            node.stop()
            try? node.waitUntilStopped()
        }

        let status = try ControlClient.request("GET", config.control, "/status")
        XCTAssertEqual(status.status, 200)
        // Escaped as JSON requires; non-ASCII as itself; the keys in the order written, each time.
        XCTAssertTrue(status.body.hasPrefix(#"{\#n  "name": "r\"1\\ \u0001\t\n\u001f é 日本 🙂",\#n  "role": "router","#), status.body)
        XCTAssertFalse(status.body.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" }, status.body)
        let value = try status.value()
        XCTAssertEqual(try value.string("name"), Self.awkward)
        XCTAssertEqual(try value.int("pid"), Int(getpid()))
        // Parsing sorts an object's keys (JSONDecoder keeps no order); the text has them as written.
        XCTAssertEqual(value.objectValue?.map(\.0).sorted(),
                       ["addresses", "app", "control", "dialect", "name", "pid", "ready", "resident_bytes", "role", "uptime_seconds"])
        func keyOrder(_ body: String) -> [String] {
            body.split(separator: "\n").filter { $0.hasPrefix("  \"") }.map { String($0.dropFirst(3).prefix { $0 != "\"" }) }
        }
        XCTAssertEqual(keyOrder(status.body), ["name", "role", "dialect", "pid", "uptime_seconds", "control", "app", "addresses",
                                               "resident_bytes", "ready"])
        // Foundation's own reader agrees.
        let foundation = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(status.body.utf8)) as? [String: Any])
        XCTAssertEqual(foundation["name"] as? String, Self.awkward)
        XCTAssertEqual(keyOrder(try ControlClient.request("GET", config.control, "/status").body), keyOrder(status.body))

        let interfaces = try ControlClient.request("GET", config.control, "/interfaces").value()
        XCTAssertEqual(try interfaces.array().first?.string("name"), interface)
        XCTAssertEqual(try interfaces.array().first?.string("udp", "local"), "127.0.0.1:\(p[0])")
        let counters = try ControlClient.request("GET", config.control, "/counters").value()
        XCTAssertEqual(try counters.object("interfaces").map(\.0).sorted(), ["app", interface])
        XCTAssertEqual(try counters.int("interfaces", interface, "rx_packets"), 0)
        XCTAssertEqual(try counters.intMembers("interfaces", interface, "drops"), [:])
        XCTAssertEqual(try counters.int("drops"), 0)
        let routes = try ControlClient.request("GET", config.control, "/routes").value()
        XCTAssertTrue(try routes.array("routes").contains { try $0.string("via") == interface }, routes.serialized)

        // A request body naming the interface, written by JSONValue, is read back exactly.
        let body = JSONValue.object([("prefix", .string("0x05")), ("via", .string(interface)), ("to-hops", .int(3))]).serialized
        let added = try ControlClient.request("POST", config.control, "/routes", body: body)
        XCTAssertEqual(added.status, 200, added.body)
        XCTAssertEqual(try added.value().string("added"), "0x05/8")
        XCTAssertEqual(try added.value()["replaced"]?.boolValue, false)
    }

    /// Bodies that are not JSON, or whose fields are missing or of another type, are refused
    /// with the field named; the node keeps answering.
    func testControlRequestBodiesWithBrokenFieldsAreNamed() throws {
        let p = FreePorts.take(3)
        let config = NodeConfig(name: "r1", role: .router, interfaces: [
            .init(name: "eth0", address: compact("0x10"), link: .udp(local: .loopback(p[0]), peer: .loopback(p[1]))),
        ], control: .loopback(p[2]))
        let node = Node(config: config)
        try node.start()
        defer {
            node.stop()
            try? node.waitUntilStopped()
        }
        func refusal(_ method: String, _ path: String, _ body: String) throws -> String {
            let response = try ControlClient.request(method, config.control, path, body: body)
            XCTAssertEqual(response.status, 400, response.body)
            return try response.value().string("error")
        }
        XCTAssertTrue(try refusal("POST", "/routes", #"{"prefix": "0x05","#).hasPrefix("the body is not JSON at line 1, column 19"))
        XCTAssertTrue(try refusal("POST", "/routes", "").hasPrefix("the body is not JSON: the text is empty"))
        XCTAssertTrue(try refusal("POST", "/routes", "[1]").hasPrefix("the body is an array, not an object: a route needs"))
        XCTAssertTrue(try refusal("POST", "/routes", #"{"via": "eth0"}"#).hasPrefix("`prefix` is missing: a route needs"))
        XCTAssertTrue(try refusal("POST", "/routes", #"{"prefix": 5, "via": "eth0"}"#).hasPrefix("`prefix` is an integer (5), not a string"))
        XCTAssertTrue(try refusal("POST", "/routes", #"{"prefix": "0x05", "via": "eth0", "to-hops": "2"}"#)
            .hasPrefix(#"`to-hops` is a string ("2"), not an integer"#))
        XCTAssertTrue(try refusal("POST", "/routes", #"{"prefix": "0x05", "via": "eth0", "to-delay": 2}"#)
            .hasPrefix("`to-delay` is an integer (2), not a string"))
        XCTAssertTrue(try refusal("DELETE", "/routes", #"{"prefix": null}"#).hasPrefix("`prefix` is null, not a string; give the prefix"))
        let added = try ControlClient.request("POST", config.control, "/routes", body: #"{"prefix": "0x05", "via": "eth0", "to-delay": null}"#)
        XCTAssertEqual(added.status, 200, added.body)
        let removed = try ControlClient.request("DELETE", config.control, "/routes", body: #"{"prefix": "0x05"}"#)
        XCTAssertEqual(try removed.read { answer throws(JSONValue.FieldError) in try answer.string("removed") }, "0x05/8")
        // A reader that needs a field the answer lacks names the request and the field.
        XCTAssertThrowsError(try removed.read { answer throws(JSONValue.FieldError) in try answer.int("added") }) { error in
            XCTAssertEqual("\(error)", "the answer to DELETE /routes at \(config.control) does not say what nip needs: `added` is missing")
        }
    }

    /// A state file as the build before `JSONValue` wrote it (JSONEncoder, sorted keys, ` : `).
    static let olderState = """
        {
          "dialect" : "compact",
          "nodes" : [
            {
              "app" : "127.0.0.1:46001",
              "config" : ".nip/run/h1.yaml",
              "control" : "127.0.0.1:46000",
              "log" : ".nip/run/h1.log",
              "name" : "h1",
              "pid" : 4242
            },
            {
              "app" : "",
              "config" : ".nip/run/r1.yaml",
              "control" : "127.0.0.1:46002",
              "log" : ".nip/run/r1.log",
              "name" : "r1",
              "pid" : 4243
            }
          ],
          "topology" : "Examples/chain.yaml"
        }
        """

    func testRunStateOfAnOlderBuildLoadsAndRoundTrips() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("nip-state-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Self.olderState.write(toFile: RunState.path(in: folder), atomically: true, encoding: .utf8)
        let old = try RunState.load(directory: folder)
        XCTAssertEqual(old.topology, "Examples/chain.yaml")
        XCTAssertEqual(old.dialect, "compact")
        XCTAssertEqual(old.nodes.map(\.name), ["h1", "r1"])
        XCTAssertEqual(old.nodes.map(\.pid), [4242, 4243])
        XCTAssertEqual(old.nodes[0].app, "127.0.0.1:46001")
        XCTAssertEqual(old.nodes[1].log, ".nip/run/r1.log")
        XCTAssertNil(old.namespaces)
        let withNamespaces = Self.olderState.replacingOccurrences(of: #""dialect" : "compact","#,
                                                                  with: #""dialect" : "compact", "namespaces" : ["nip-chain-h1", "nip-chain-r1"],"#)
        try withNamespaces.write(toFile: RunState.path(in: folder), atomically: true, encoding: .utf8)
        XCTAssertEqual(try RunState.load(directory: folder).namespaces, ["nip-chain-h1", "nip-chain-r1"])

        // Written by this build: the same field names, read back the same; awkward names survive.
        var state = old
        state.nodes[1].name = ControlJSONTests.awkward
        state.namespaces = ["nip-chain-h1"]
        try state.save(directory: folder)
        let text = try String(contentsOfFile: RunState.path(in: folder), encoding: .utf8)
        XCTAssertTrue(text.hasPrefix("{\n  \"topology\": \"Examples/chain.yaml\",\n  \"dialect\": \"compact\",\n  \"nodes\": [\n    {\n      \"name\": \"h1\",\n      \"pid\": 4242,"), text)
        let back = try RunState.load(directory: folder)
        XCTAssertEqual(back.json, state.json)
        XCTAssertEqual(back.nodes[1].name, ControlJSONTests.awkward)
        XCTAssertEqual(back.namespaces, ["nip-chain-h1"])
    }

    func testABrokenStateFileNamesTheField() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("nip-state-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = RunState.path(in: folder)
        func failure(_ text: String) throws -> String {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            do { _ = try RunState.load(directory: folder); return "loaded" } catch { return "\(error)" }
        }
        let prefix = "\(path) is not a state file written by `nip up`: "
        XCTAssertEqual(try failure(Self.olderState.replacingOccurrences(of: #""pid" : 4243"#, with: #""pid" : "4243""#)),
                       prefix + #"`nodes[1].pid` is a string ("4243"), not an integer"#)
        XCTAssertEqual(try failure(Self.olderState.replacingOccurrences(of: #""pid" : 4243"#, with: #""pid" : 99999999999"#)),
                       prefix + "`nodes[1].pid` is 99999999999, not a process id")
        XCTAssertEqual(try failure(Self.olderState.replacingOccurrences(of: #""name" : "h1","#, with: "")),
                       prefix + "`nodes[0].name` is missing")
        XCTAssertEqual(try failure(#"{"topology": "t", "dialect": "compact", "nodes": [], "namespaces": ["a", 1]}"#),
                       prefix + "`namespaces[1]` is an integer (1), not a string")
        XCTAssertEqual(try failure(#"{"topology": "t", "dialect": "compact"}"#), prefix + "`nodes` is missing")
        XCTAssertEqual(try failure("{\n  \"topology\": \"t\"\n  \"nodes\": []\n}"),
                       prefix + "not JSON at line 3, column 3: Invalid value")
    }
}
