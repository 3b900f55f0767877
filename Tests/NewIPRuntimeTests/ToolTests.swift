import Foundation
import NewIPCapture
import NewIPDataPlane
import NewIPNode
import NewIPEmulator
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
        let interfaces = try ControlClient.request("GET", NodeConfig.Endpoint(state.nodes[1].control)!, "/interfaces").body
        XCTAssertTrue(interfaces.contains("\"netns\" : \"nip-chain-r1\""), interfaces)
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
