import Foundation
import NewIPCapture
import NewIPDataPlane
import NewIPNode
import NewIPRuntime
import NewIPTopology
import NewIPWire
import XCTest

/// h1 — r1 — h2 over raw Ethernet (AF_PACKET) on veth pairs, each node in a network namespace
/// this test creates (and removes); tshark on h2's side checks the frames on the wire.
final class EthernetTests: NodeProcessTestCase {
    var namespaces: [String] = []

    override func tearDownWithError() throws {
        try super.tearDownWithError()
        for namespace in namespaces { _ = shell("ip netns del \(namespace)") }
    }

    /// The runtime's own shell helper (the tests set up namespaces the way `nip up --netns` does).
    @discardableResult
    func shell(_ command: String) -> (status: Int32, output: String) { ProcessControl.shell(command) }

    func mac(_ device: String, in namespace: String) -> EthernetAddress? {
        EthernetAddress(shell("ip netns exec \(namespace) cat /sys/class/net/\(device)/address").output
            .trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Three namespaces and two veth pairs: a0 (A) — r0 (R), r1 (R) — b0 (B).
    func makeNetwork(_ tag: String) throws -> (a: String, r: String, b: String) {
        let (a, r, b) = ("nipt-\(tag)-a", "nipt-\(tag)-r", "nipt-\(tag)-b")
        for namespace in [a, r, b] {
            shell("ip netns del \(namespace) 2>/dev/null")
            let added = shell("ip netns add \(namespace)")
            guard added.status == 0 else {
                throw XCTSkip("network namespaces are not permitted here (`ip netns add` said: \(added.output.trimmingCharacters(in: .whitespacesAndNewlines))); the raw Ethernet test needs root or CAP_SYS_ADMIN")
            }
            namespaces.append(namespace)
            shell("ip -n \(namespace) link set lo up")
        }
        for command in ["ip link add a0 netns \(a) type veth peer name r0 netns \(r)",
                        "ip link add r1 netns \(r) type veth peer name b0 netns \(b)",
                        "ip -n \(a) link set a0 up", "ip -n \(r) link set r0 up", "ip -n \(r) link set r1 up",
                        "ip -n \(b) link set b0 up"] {
            let result = shell(command)
            guard result.status == 0 else { throw XCTSkip("cannot create veth pairs here: \(command): \(result.output)") }
        }
        return (a, r, b)
    }

    func startNode(_ config: NodeConfig, in namespace: String) throws {
        let path = folder.appendingPathComponent("\(config.name).yaml").path
        let log = folder.appendingPathComponent("\(config.name).log").path
        try config.yaml.write(toFile: path, atomically: true, encoding: .utf8)
        let pid = try ProcessControl.spawn("/usr/sbin/ip", ["netns", "exec", namespace, try nip, "node", "--config", path], log: log)
        started.append(RunState.NodeEntry(name: config.name, pid: pid, control: config.control.description, app: "",
                                          config: path, log: log))
        if ControlClient.waitUntilReady(config.control, pid: pid, namespace: namespace) { return }
        throw ToolError("node \(config.name) did not start: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
    }

    func testChainOverVethInNamespacesBothDialects() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip") else { throw XCTSkip("no `ip` command") }
        for dialect in [PacketDialect.compact, .framework] {
            try runChain(dialect)
        }
    }

    private func runChain(_ dialect: PacketDialect) throws {
        let tag = dialect == .compact ? "c\(getpid() % 10000)" : "f\(getpid() % 10000)"
        let (a, r, b) = try makeNetwork(tag)
        let address: (String) -> FrameworkAddress = { text in
            dialect == .compact ? .compact(CompactAddress(text)!) : FrameworkAddress(text)!
        }
        let names = dialect == .compact ? ["0x01", "0x10", "0x11", "0x02"] : ["10.0.1.1", "10.0.1.2", "10.0.2.2", "10.0.2.1"]
        let everything: RoutePrefix = dialect == .compact ? .compact(.all) : .ipv4(IPv4Prefix("0.0.0.0/0")!)
        let control = 9100  // each node is alone in its namespace's loopback
        let h1 = NodeConfig(name: "h1-\(dialect)", role: .host, dialect: dialect, interfaces: [
            .init(name: "eth0", address: address(names[0]), link: .ethernet(device: "a0", peer: mac("r0", in: r))),
        ], routes: [.init(prefix: everything, interface: "eth0")], control: .loopback(control), app: .loopback(control + 1))
        let r1 = NodeConfig(name: "r1-\(dialect)", role: .router, dialect: dialect, interfaces: [
            .init(name: "eth0", address: address(names[1]), link: .ethernet(device: "r0", peer: mac("a0", in: a))),
            .init(name: "eth1", address: address(names[2]), link: .ethernet(device: "r1", peer: mac("b0", in: b))),
        ], routes: [.init(prefix: RoutePrefix(exactly: address(names[0])), interface: "eth0"),
                    .init(prefix: RoutePrefix(exactly: address(names[3])), interface: "eth1")], control: .loopback(control))
        let h2 = NodeConfig(name: "h2-\(dialect)", role: .host, dialect: dialect, interfaces: [
            .init(name: "eth0", address: address(names[3]), link: .ethernet(device: "b0", peer: nil)),
        ], routes: [.init(prefix: everything, interface: "eth0")], control: .loopback(control))
        try startNode(h1, in: a)
        try startNode(r1, in: r)
        try startNode(h2, in: b)

        let pcap = folder.appendingPathComponent("b0-\(dialect).pcapng").path
        let tsharkAvailable = FileManager.default.isExecutableFile(atPath: "/usr/bin/tshark")
        var tshark: Process?
        if tsharkAvailable {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
            let filter = dialect == .compact ? "ether proto 0xeadd" : "ether proto 0x88b6"
            process.arguments = ["netns", "exec", b, "/usr/bin/tshark", "-i", "b0", "-f", filter, "-c", "2", "-w", pcap]
            process.standardOutput = Pipe()
            let errors = Pipe()
            process.standardError = errors
            try process.run()
            tshark = process
            XCTAssertTrue(waitForOutput(errors, containing: "Capturing on"), "tshark never started capturing")
        }
        let ping = shell("ip netns exec \(a) \(try nip) ping --control 127.0.0.1:\(control) -c 2 --interval 0.1 \(names[3])")
        XCTAssertEqual(ping.status, 0, ping.output)
        XCTAssertTrue(ping.output.contains("2 received, 0% loss"), ping.output)
        XCTAssertTrue(ping.output.contains("hops=2 (back 2)"), ping.output)

        let counters = try ControlClient.request("GET", r1.control, "/counters", namespace: r).json
        let interfaces = counters?["interfaces"] as? [String: [String: Any]]
        XCTAssertEqual(interfaces?["eth0"]?["rx_packets"] as? Int, 2)
        XCTAssertEqual(interfaces?["eth1"]?["tx_packets"] as? Int, 2)
        XCTAssertEqual(interfaces?["eth1"]?["rx_packets"] as? Int, 2)
        XCTAssertEqual(counters?["drops"] as? Int, 0)

        if let tshark {
            let deadline = Date().addingTimeInterval(10)
            while tshark.isRunning && Date() < deadline { usleep(50_000) }
            if tshark.isRunning { tshark.terminate() }
            let fields = shell("tshark -r \(pcap) -T fields -e eth.type -e eth.src -e eth.dst 2>/dev/null").output
            let rows = fields.split(separator: "\n").map { $0.split(separator: "\t").map(String.init) }
            XCTAssertEqual(rows.count, 2, fields)
            let type = dialect == .compact ? "0xeadd" : "0x88b6"
            XCTAssertTrue(rows.allSatisfy { $0.first == type }, fields)
            // The request came from r1's eth1 to h2; the reply from h2, broadcast (h2 names no peer).
            XCTAssertEqual(rows.first?[1], mac("r1", in: r)?.description.lowercased(), fields)
            XCTAssertEqual(rows.first?[2], mac("b0", in: b)?.description.lowercased(), fields)
            XCTAssertEqual(rows.last?[2], "ff:ff:ff:ff:ff:ff", fields)
            // The frames hold what was sent: an echo request h1 → h2 forwarded by two nodes, and its answer.
            let frames = try CaptureReader.readAll([UInt8](Data(contentsOf: URL(fileURLWithPath: pcap)))).map(\.data)
            let packets = frames.compactMap { frame in Array(frame.dropFirst(14)).withUnsafeBytes { ParsedPacket($0, dialect: dialect) } }
            XCTAssertEqual(packets.count, 2)
            XCTAssertEqual(packets.first?.source, address(names[0]))
            XCTAssertEqual(packets.first?.destination, address(names[3]))
            XCTAssertEqual(packets.first?.ping?.code, PingContract.request)
            XCTAssertEqual(packets.first?.ping?.hops, 2)
            XCTAssertEqual(packets.last?.source, address(names[3]))
            XCTAssertEqual(packets.last?.ping?.code, PingContract.reply)
            if dialect == .compact { XCTAssertEqual(packets.first?.ttl, PacketBuilder.defaultTTL - 2) }
        }
        XCTAssertTrue(ProcessControl.stopAll(started).isEmpty)
        started = []
        for namespace in namespaces { shell("ip netns del \(namespace)") }
        namespaces = []
        if !tsharkAvailable {
            throw XCTSkip("testChainOverVethInNamespacesBothDialects: tshark is not installed (apt-get install tshark), "
                          + "so the frames on the wire were not checked; the rest ran")
        }
    }
}
