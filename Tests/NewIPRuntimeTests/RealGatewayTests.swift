import Foundation
import NewIPDataPlane
import NewIPRuntime
import NewIPTopology
import NewIPWire
import XCTest

/// A real gateway: sensor (0x05) — gw over the UDP underlay on loopback, and gw's TUN device
/// in a network namespace this test creates, where plain Linux UDP sockets play the IPv4 and
/// IPv6 servers. The kernel verifies every translated UDP checksum before a socket sees the
/// datagram, so delivery proves the translation's checksums too.
final class RealGatewayTests: NodeProcessTestCase {
    var namespace: String?

    override func tearDownWithError() throws {
        try super.tearDownWithError()
        if let namespace { ProcessControl.deleteNamespaces([namespace]) }
    }

    static let server6 = IPv6Address("2001:db8::10")!
    static let server4 = IPv4Address("192.0.2.10")!
    /// The sensor's names on the IP side: by the /64 embedding, and by a static IPv4 binding.
    static let sensor6 = IPv6Address("2001:db8:f:0:500::")!
    static let sensor4 = IPv4Address("198.51.100.5")!

    func makeNamespace() throws -> String {
        let name = "nipt-gw-\(getpid() % 100_000)"
        ProcessControl.deleteNamespaces([name])
        let added = ProcessControl.shell("ip netns add \(name)")
        guard added.status == 0 else {
            throw XCTSkip("network namespaces are not permitted here (`ip netns add` said: \(added.output.trimmingCharacters(in: .whitespacesAndNewlines))); the gateway test needs root or CAP_NET_ADMIN for its TUN device")
        }
        namespace = name
        // The servers' addresses live on the namespace's loopback: the kernel delivers what the
        // gateway writes into its TUN device to them, and routes their answers back into it.
        for command in ["ip -n \(name) link set lo up", "ip -n \(name) addr add \(Self.server6)/128 dev lo",
                        "ip -n \(name) addr add \(Self.server4)/32 dev lo", "ip -n \(name) addr add 2001:db8::99/128 dev lo"] {
            let result = ProcessControl.shell(command)
            guard result.status == 0 else { throw ToolError("\(command): \(result.output)") }
        }
        return name
    }

    func configs(namespace: String) -> (sensor: NodeConfig, gw: NodeConfig) {
        let p = FreePorts.take(5)
        let sensor = NodeConfig(name: "sensor", role: .host, interfaces: [
            .init(name: "radio", address: compact("0x05"), link: .udp(local: .loopback(p[0]), peer: .loopback(p[1])), delay: 2_000_000),
        ], routes: [.init(prefix: .compact(.all), interface: "radio")], control: .loopback(p[2]), app: .loopback(p[3]))
        var mapping = GatewayMapping(ipv6Prefix: IPv6Prefix("2001:db8:f::/64")!)
        mapping.bind(CompactAddress("0xF11400")!, to: Self.server6)
        mapping.bind(CompactAddress("0xF11500")!, to: Self.server4)
        mapping.bind(CompactAddress("0x05")!, to: Self.sensor4)
        let gw = NodeConfig(name: "gw", role: .gateway, interfaces: [
            .init(name: "island", address: compact("0x54"), link: .udp(local: .loopback(p[1]), peer: .loopback(p[0])), delay: 2_000_000),
            .init(name: "ip", address: .ipv6(IPv6Address("2001:db8:1::1")!),
                  link: .tun(device: "nipgw0", namespace: namespace,
                             routes: [.ipv6(IPv6Prefix("2001:db8:f::/64")!), .ipv4(IPv4Prefix("198.51.100.5/32")!)])),
        ], routes: [
            .init(prefix: .compact(CompactAddressPrefix(exactly: CompactAddress("0x05")!)), interface: "island"),
            .init(prefix: .compact(CompactAddressPrefix("0xF1/8")!), interface: "ip"),
        ], control: .loopback(p[4]), mapping: mapping)
        return (sensor, gw)
    }

    func testSensorTalksToIPv6AndIPv4ServersThroughTheGateway() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip") else { throw XCTSkip("no `ip` command") }
        let namespace = try makeNamespace()
        let (sensor, gw) = configs(namespace: namespace)
        try startNode(sensor)
        try startNode(gw)
        let server6 = try UDPServer(namespace: namespace, address: "2001:db8::10", port: 5000)
        let server4 = try UDPServer(namespace: namespace, address: "192.0.2.10", port: 5001)
        let app = sensor.app!
        let count = 100

        let answers = try runBlocking { () -> [(source: FrameworkAddress?, port: UInt16, text: String)] in
            let socket = try await NewIPDatagramSocket.bind(node: app, port: 6000)
            for sequence in 1...count {
                try socket.send(Array("six \(sequence)".utf8), to: compact("0xF11400"), port: 5000)
                try socket.send(Array("four \(sequence)".utf8), to: compact("0xF11500"), port: 5001)
                if sequence % 20 == 0 { try await Task.sleep(nanoseconds: 2_000_000) }
            }
            // The servers answer each datagram; collect the answers on the island side.
            for server in [server6, server4] {
                for _ in 0..<count {
                    guard let (data, from) = server.receive() else { break }
                    server.send(Array("ack ".utf8) + data, to: from)
                }
            }
            let collector = Task { () -> [(FrameworkAddress?, UInt16, String)] in
                var got: [(FrameworkAddress?, UInt16, String)] = []
                for await datagram in socket.datagrams {
                    got.append((datagram.source, datagram.sourcePort, String(decoding: datagram.data, as: UTF8.self)))
                    if got.count == 2 * count { break }
                }
                return got
            }
            let timeout = Task {
                try await Task.sleep(nanoseconds: 5_000_000_000)
                collector.cancel()
            }
            let answers = await collector.value
            timeout.cancel()
            await socket.close()
            return answers.map { (source: $0.0, port: $0.1, text: $0.2) }
        }

        // The IP side saw each datagram once, from the sensor's IP names and its own port.
        XCTAssertEqual(server6.received.map(\.text), (1...count).map { "six \($0)" })
        XCTAssertEqual(Set(server6.received.map(\.from)), ["[\(Self.sensor6)]:6000"])
        XCTAssertEqual(server4.received.map(\.text), (1...count).map { "four \($0)" })
        XCTAssertEqual(Set(server4.received.map(\.from)), ["\(Self.sensor4):6000"])
        // The answers came back as compact New IP from the servers' island names.
        let six = answers.filter { $0.source == compact("0xF11400") }
        let four = answers.filter { $0.source == compact("0xF11500") }
        XCTAssertEqual(Set(six.map(\.text)), Set((1...count).map { "ack six \($0)" }))
        XCTAssertEqual(Set(six.map(\.port)), [5000])
        XCTAssertEqual(Set(four.map(\.text)), Set((1...count).map { "ack four \($0)" }))
        XCTAssertEqual(Set(four.map(\.port)), [5001])

        let translations = try counters(gw)["translations"] as? [String: Any]
        XCTAssertEqual(translations?["compact_to_ip"] as? Int, 2 * count)
        XCTAssertEqual(translations?["ip_to_compact"] as? Int, 2 * count)
        XCTAssertEqual(try counter(gw, "ip", "tx_packets"), 2 * count)
        XCTAssertEqual(try counter(gw, "ip", "rx_packets"), 2 * count, "the kernel sent nothing else into the device")
        XCTAssertEqual(try counter(gw, "island", "tx_packets"), 2 * count)
        XCTAssertEqual(try counters(gw)["drops"] as? Int, 0)

        // A name under the gateway's compact prefix with no IP counterpart: counted where it
        // arrived (the core decides on arrival), not sent.
        let unmapped = try run(["send", "--control", sensor.control.description, "--to", "0xF1FF00", "--port", "5000", "--count", "3"])
        XCTAssertEqual(unmapped.status, 0, unmapped.error)
        try waitFor { try self.drops(gw, "island")["unmapped"] == 3 }
        // IP packets from a host with no compact name, and to an address that embeds no valid
        // compact address: refused on the way in.
        let stranger = try UDPServer(namespace: namespace, address: "2001:db8::99", port: 0)
        stranger.send(Array("who".utf8), to: "[\(Self.sensor6)]:6000")
        server6.send(Array("who".utf8), to: "[2001:db8:f:0:abcd::]:6000")
        try waitFor { try self.drops(gw, "ip")["unmapped"] == 2 }
        XCTAssertEqual((try counters(gw)["translations"] as? [String: Any])?["failures"] as? [String: Int], ["unmapped": 5])
        XCTAssertEqual(try counter(gw, "ip", "tx_packets"), 2 * count)
        let metrics = try ControlClient.request("GET", gw.control, "/metrics").body
        XCTAssertTrue(metrics.contains("newip_translations_total{node=\"gw\",direction=\"compact_to_ip\"} \(2 * count)"), metrics)
        XCTAssertTrue(metrics.contains("newip_drops_total{node=\"gw\",interface=\"ip\",reason=\"unmapped\"} 2"), metrics)
        XCTAssertTrue(metrics.contains("newip_drops_total{node=\"gw\",interface=\"island\",reason=\"unmapped\"} 3"), metrics)
    }

    /// `nip up --netns` on the ManyNets example: sensors and the hub are node processes, `core`
    /// is a kernel IPv6 router and `server` a kernel IPv6 host, each in its namespace; a reading
    /// from sensor1 crosses the gateway and the kernel router to a plain socket on the server,
    /// and the answer comes back to sensor1's application.
    func testUpNetnsRunsAManyNetsTopologyWithKernelIPHosts() throws {
        let probe = "nipt-probe-\(getpid())"
        guard ProcessControl.shell("ip netns add \(probe)").status == 0 else {
            throw XCTSkip("network namespaces are not permitted here; `nip up --netns` needs root")
        }
        ProcessControl.deleteNamespaces([probe])
        let topology = Self.packageRoot.appendingPathComponent("Examples/manynets-gateway.yaml").path
        let slot = Int(getpid() % 400)
        let up = try run(["up", "--netns", topology, "--state", "run", "--control-port", "\(25000 + 20 * slot)"])
        XCTAssertEqual(up.status, 0, up.error)
        let state = try RunState.load(directory: folder.appendingPathComponent("run").path)
        started = state.nodes
        let prefix = "nip-manynets-gateway-"
        defer { ProcessControl.deleteNamespaces(state.namespaces ?? []) }
        XCTAssertEqual(state.nodes.map(\.name), ["sensor1", "sensor2", "sensor3", "hub", "gw"])
        XCTAssertEqual(state.namespaces?.count, 7)
        XCTAssertTrue(up.output.contains("core\tkernel IP router (2001:db8:1::2, 2001:db8::1) in namespace \(prefix)core"), up.output)
        // The kernel router got the emulator's routes: the island's /64 towards the gateway.
        let routes = ProcessControl.shell("ip -n \(prefix)core -6 route show 2001:db8:f::/64").output
        XCTAssertTrue(routes.contains("via 2001:db8:1::1 dev gw"), routes)

        let server = try UDPServer(namespace: prefix + "server", address: "2001:db8::10", port: 5000)
        let sensor1 = NodeConfig.Endpoint(state.nodes[0].app)!
        // The application port requires the run's token (the state file names it).
        NodeAuth.token = try NodeAuth.read(try XCTUnwrap(state.token))
        defer { NodeAuth.token = nil }
        let answer = try runBlocking { () -> (FrameworkAddress?, String)? in
            let socket = try await NewIPDatagramSocket.bind(node: sensor1, port: 6000)
            try socket.send(Array("reading 21.5".utf8), to: compact("0xF11400"), port: 5000)
            guard let (data, from) = server.receive() else { return nil }
            server.send(Array("ok ".utf8) + data, to: from)
            let collector = Task { () -> (FrameworkAddress?, String)? in
                for await datagram in socket.datagrams { return (datagram.source, String(decoding: datagram.data, as: UTF8.self)) }
                return nil
            }
            let timeout = Task {
                try await Task.sleep(nanoseconds: 3_000_000_000)
                collector.cancel()
            }
            let answer = await collector.value
            timeout.cancel()
            await socket.close()
            return answer
        }
        XCTAssertEqual(server.received.map(\.text), ["reading 21.5"])
        XCTAssertEqual(server.received.first?.from, "[2001:db8:f:0:500::]:6000")
        XCTAssertEqual(answer?.0, compact("0xF11400"))
        XCTAssertEqual(answer?.1, "ok reading 21.5")

        let down = try run(["down", "--state", "run"])
        XCTAssertEqual(down.status, 0, down.error)
        started = []
        let left = ProcessControl.shell("ip netns list").output
        XCTAssertFalse(left.contains(prefix), left)
    }
}

/// A plain UDP socket opened inside a network namespace (it stays there whichever thread uses it).
final class UDPServer: @unchecked Sendable {
    let fd: Int32
    private(set) var received: [(text: String, from: String)] = []

    init(namespace: String, address: String, port: Int) throws {
        let isV6 = address.contains(":")
        fd = try NetworkNamespace.run(namespace) { () throws -> Int32 in
            let fd = socket(isV6 ? AF_INET6 : AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
            guard fd >= 0 else { throw ToolError("socket: \(String(cString: strerror(errno)))") }
            return fd
        }
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var storage = Self.socketAddress(address, port)
        let bound = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_storage>.size)) }
        }
        guard bound == 0 else { throw ToolError("bind \(address):\(port): \(String(cString: strerror(errno)))") }
    }

    deinit { close(fd) }

    static func socketAddress(_ address: String, _ port: Int) -> sockaddr_storage {
        var storage = sockaddr_storage()
        withUnsafeMutableBytes(of: &storage) { raw in
            if address.contains(":") {
                var a = sockaddr_in6()
                a.sin6_family = sa_family_t(AF_INET6)
                a.sin6_port = UInt16(port).bigEndian
                inet_pton(AF_INET6, address, &a.sin6_addr)
                withUnsafeBytes(of: a) { raw.copyMemory(from: $0) }
            } else {
                var a = sockaddr_in()
                a.sin_family = sa_family_t(AF_INET)
                a.sin_port = UInt16(port).bigEndian
                inet_pton(AF_INET, address, &a.sin_addr)
                withUnsafeBytes(of: a) { raw.copyMemory(from: $0) }
            }
        }
        return storage
    }

    /// One datagram and its sender as `addr:port` (`[v6]:port`), or nil after 2 s.
    func receive() -> (data: [UInt8], from: String)? {
        var buffer = [UInt8](repeating: 0, count: 2048)
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let n = withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: Glibc.sockaddr.self, capacity: 1) { recvfrom(fd, &buffer, buffer.count, 0, $0, &length) }
        }
        guard n >= 0 else { return nil }
        var text = [CChar](repeating: 0, count: 64)
        let from: String
        if storage.ss_family == sa_family_t(AF_INET6) {
            var a = withUnsafeBytes(of: storage) { $0.load(as: sockaddr_in6.self) }
            inet_ntop(AF_INET6, &a.sin6_addr, &text, 64)
            from = "[\(String(decoding: text.prefix { $0 != 0 }.map(UInt8.init(bitPattern:)), as: UTF8.self))]:\(UInt16(bigEndian: a.sin6_port))"
        } else {
            var a = withUnsafeBytes(of: storage) { $0.load(as: sockaddr_in.self) }
            inet_ntop(AF_INET, &a.sin_addr, &text, 64)
            from = "\(String(decoding: text.prefix { $0 != 0 }.map(UInt8.init(bitPattern:)), as: UTF8.self)):\(UInt16(bigEndian: a.sin_port))"
        }
        let data = Array(buffer[0..<n])
        received.append((String(decoding: data, as: UTF8.self), from))
        return (data, from)
    }

    /// Sends to `addr:port` or `[v6]:port`.
    func send(_ data: [UInt8], to endpoint: String) {
        guard let parsed = NodeConfig.Endpoint(endpoint) else { return }
        var storage = Self.socketAddress(parsed.host, parsed.port)
        let length = socklen_t(parsed.host.contains(":") ? MemoryLayout<sockaddr_in6>.size : MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: Glibc.sockaddr.self, capacity: 1) { sendto(fd, data, data.count, 0, $0, length) }
        }
    }
}
