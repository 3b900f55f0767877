import Foundation
import NewIPDataPlane
import NewIPNode
import NewIPRuntime
import NewIPTopology
import NewIPWire
import XCTest

/// Bad input at full rate: counted, dropped, logged at most once per interval; the node stays up.
final class RobustnessTests: NodeProcessTestCase {
    /// A router whose `eth0` peer is a socket of this test.
    func routerWithTestPeer() throws -> (router: NodeConfig, peer: Int32, routerPort: Int) {
        let p = FreePorts.take(4)
        var router = NodeConfig(name: "r", role: .router, interfaces: [
            .init(name: "eth0", address: compact("0x10"), link: .udp(local: .loopback(p[0]), peer: .loopback(p[1]))),
            .init(name: "eth1", address: compact("0x11"), link: .udp(local: .loopback(p[2]), peer: .loopback(p[3]))),
        ], routes: [.init(prefix: .compact(CompactAddressPrefix(exactly: CompactAddress("0x02")!)), interface: "eth1")],
        control: .loopback(FreePorts.take(1)[0]))
        router.logInterval = 60_000_000_000
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(p[1]).bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        XCTAssertEqual(bound, 0)
        return (router, fd, p[0])
    }

    func send(_ fd: Int32, _ bytes: [UInt8], to port: Int) {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        _ = bytes.withUnsafeBytes { raw in
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, raw.baseAddress, raw.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
    }

    func testMalformedFramesAtFullRateAreCountedAndLoggedOncePerInterval() throws {
        let (router, fd, port) = try routerWithTestPeer()
        defer { close(fd) }
        let entry = try startNode(router)
        var generator = SystemRandomNumberGenerator()
        var sent = 0
        // 20,000 frames: random bytes, truncated headers, a bitmap that runs off the end.
        for index in 0..<20_000 {
            let frame: [UInt8]
            switch index % 3 {
            case 0:
                // Random bytes behind a first byte with the reserved bit set, which no header may have.
                frame = [0x80 | UInt8.random(in: 0...127, using: &generator)]
                    + (0..<Int.random(in: 0...64, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            case 1: frame = [0x57, 0x00]
            default: frame = [0xFF, 0xFF, 0xFF]
            }
            send(fd, frame, to: port)
            sent += 1
            if index % 200 == 0 { usleep(1000) }  // mostly under the socket buffer
        }
        // A valid packet afterwards is still forwarded: the node is up and well. One socket
        // delivers in order, so once it is out every frame before it has been counted.
        let good = PacketBuilder.udp(dialect: .compact, source: compact("0x01"), sourcePort: 1, destination: compact("0x02"),
                                     destinationPort: 2, clauses: [], data: [1, 2, 3])!
        send(fd, good, to: port)
        try waitFor { try counter(router, "eth1", "tx_packets") == 1 }
        let status = try ControlClient.request("GET", router.control, "/status")
        XCTAssertEqual(status.status, 200)
        // The kernel may drop a few when the machine is busy; every frame the node read counts.
        let received = try counter(router, "eth0", "rx_packets")
        XCTAssertGreaterThan(received, sent / 2, "the kernel dropped most frames")
        let dropped = try drops(router, "eth0")
        XCTAssertEqual(dropped["malformed"], received - 1, "every frame but the good one is malformed")
        XCTAssertEqual(try counter(router, "eth1", "tx_packets"), 1, "the good packet went through")
        let log = try String(contentsOfFile: entry.log, encoding: .utf8)
        let lines = log.split(separator: "\n").filter { $0.contains("malformed packets dropped") }
        XCTAssertEqual(lines.count, 1, "one log line per 60 s interval:\n\(log)")
        XCTAssertTrue(ProcessControl.isAlive(entry.pid))
    }

    func testFramesFromAStrangerAreRefused() throws {
        let (router, fd, port) = try routerWithTestPeer()
        defer { close(fd) }
        try startNode(router)
        let stranger = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(stranger) }
        let good = PacketBuilder.udp(dialect: .compact, source: compact("0x01"), sourcePort: 1, destination: compact("0x02"),
                                     destinationPort: 2, clauses: [], data: [1])!
        for _ in 0..<10 { send(stranger, good, to: port) }
        try waitFor { try drops(router, "eth0")["bad-frame"] == 10 }
        XCTAssertEqual(try counter(router, "eth1", "tx_packets"), 0)
    }

    func testBadConfigurationsAreRefusedWithEveryProblem() throws {
        let file = folder.appendingPathComponent("bad.yaml")
        try """
        name: bad
        role: switch
        interfaces:
          - name: eth0
            address: "0xF5"
            udp: {local: 127.0.0.1:7000}
            queue: {bytes: 4000, trim: yes}
        routes:
          - {prefix: "0x02", via: eth7}
        colour: blue
        """.write(to: file, atomically: true, encoding: .utf8)
        let result = try run(["node", "--config", file.path])
        XCTAssertEqual(result.status, 1)
        let bad = file.path
        XCTAssertEqual(result.error, """
            Error: \(bad):1:1: the node is missing `control` — add `control: …` (see docs/node.md)
            \(bad):2:7: unknown role `switch` — use one of host, router, gateway
            \(bad):5:14: `0xF5` is not a compact address — write hex bytes such as 0x01 or 0xDE00
            \(bad):6:10: udp of `eth0` is missing `peer` — add `peer: …` (see docs/node.md)
            \(bad):7:32: trim `yes` is not true or false — write true or false
            \(bad):9:27: no interface `eth7` (did you mean `eth0`?) — route via one of eth0
            \(bad):10:1: unknown key `colour` in the node — remove it; the node takes name, role, dialect, addresses, \
            interfaces, routes, control, app, ping-hops, log, read-batch, gateway, security, border, path-routes, auth-token, spoofer, neighbours, routing

            """)
        // Gateways: one tun interface and a New IP one; tun only on gateways; IP routes under the tun.
        let gateway = folder.appendingPathComponent("gateway.yaml")
        try """
        name: gw
        role: gateway
        control: 127.0.0.1:7999
        interfaces:
          - {name: island, address: "0x10", udp: {local: 127.0.0.1:7001, peer: 127.0.0.1:7002}}
          - {name: ip, address: "0x11", tun: {device: nip0, routes: ["0xF1/8"]}}
        gateway:
          map: {"0xF11400": "2001:db8::10", "0xF11500": "2001:db8::10", "0xF11600": "mars"}
          ipv6-prefix: "2001:db8::/96"
        routes:
          - {prefix: "2001:db8::/32", via: ip}

        """.write(to: gateway, atomically: true, encoding: .utf8)
        let refused = try run(["node", "--check", "--config", gateway.path])
        XCTAssertEqual(refused.status, 1)
        let gw = gateway.path
        XCTAssertEqual(refused.error, """
            Error: \(gw):6:25: `0x11`: a tun interface's address is IPv4 or IPv6 — write e.g. 2001:db8:1::1 (the device gets it)
            \(gw):6:62: `0xF1/8` is not an IPv4 or IPv6 prefix — write e.g. 2001:db8:f::/64 or 192.0.2.0/24
            \(gw):8:49: 2001:db8::10 is bound twice (first at line 8) — bind each IP address to one compact address
            \(gw):8:77: `map` value: `mars` is not an IPv4 or IPv6 address — map a compact address to an IP one: \
            `"0xF11400": "2001:db8::10"`
            \(gw):9:16: ipv6-prefix: `2001:db8::/96` is not an IPv6 prefix of at most 64 bits — write e.g. 2001:db8:f::/64 \
            (a compact address fills the low 64 bits)
            \(gw):11:14: `2001:db8::/32` via the tun `ip`: routes here are for New IP destinations — route compact names \
            to the tun (`0xF1/8`); put IP prefixes under the tun's `routes`

            """)
        try "name: r\nrole: router\ncontrol: 127.0.0.1:7999\ngateway: {}\ninterfaces:\n  - {name: ip, tun: {device: nip0}}\n"
            .write(to: gateway, atomically: true, encoding: .utf8)
        let router = try run(["node", "--check", "--config", gateway.path])
        XCTAssertEqual(router.error, """
            Error: \(gw):4:1: `gateway` applies only to `role: gateway` — remove it, or set `role: gateway`
            \(gw):6:16: interface `ip`: only a gateway has a `tun` interface — set `role: gateway`, or use udp/ethernet

            """)
        // Without namespaces there is no kernel side for a gateway's IP network: `nip up` says so.
        let up = try run(["up", Self.packageRoot.appendingPathComponent("Examples/manynets-gateway.yaml").path,
                          "--state", folder.appendingPathComponent("state").path])
        XCTAssertEqual(up.status, 1)
        XCTAssertTrue(up.error.contains("node `gw` is a gateway") && up.error.contains("add --netns"), up.error)
        let examples = Self.packageRoot.appendingPathComponent("Examples/nodes")
        for name in try FileManager.default.contentsOfDirectory(atPath: examples.path) where name.hasSuffix(".yaml") {
            let check = try run(["node", "--check", "--config", examples.appendingPathComponent(name).path])
            XCTAssertEqual(check.status, 0, "\(name): \(check.error)")
        }
    }

    func testGracefulShutdownOnSigterm() throws {
        let (h1, _, _) = chainConfigs()
        let entry = try startNode(h1)
        kill(entry.pid, SIGTERM)
        for _ in 0..<100 where ProcessControl.isAlive(entry.pid) { usleep(20_000) }
        XCTAssertFalse(ProcessControl.isAlive(entry.pid))
        XCTAssertTrue(try String(contentsOfFile: entry.log, encoding: .utf8).contains("node stopping"))
    }
}
