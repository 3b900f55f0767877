import ArgumentParser
import Foundation
import NewIPDataPlane
import NewIPRuntime
import NewIPWire

struct BenchNodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-node",
        abstract: "Packets per second one router process forwards over the UDP underlay (build with -c release).",
        discussion: """
        Starts `nip node` as a two-interface router on 127.0.0.1, drives it with the project's load generator \
        (sendmmsg as fast as possible from one socket, recvmmsg counting at another) with compact UDP \
        packets of --payload bytes, and reports what arrived per second after a warm-up, the router's own \
        counters, and its heap allocations per forwarded packet. With --kernel it measures instead how \
        fast the Linux kernel forwards plain IPv4 UDP between three network namespaces it creates (and \
        removes), the reference the issue asks for.
        """)

    @Option(help: "Seconds to measure (after a 1 s warm-up).")
    var duration = 5.0

    @Option(help: "New IP payload bytes (UDP header and data).")
    var payload = 64

    @Option(help: "First of the loopback ports used (five).")
    var port = 48100

    @Option(help: "Datagrams per second to offer (0: as fast as possible).")
    var rate = 0.0

    @Flag(help: "Measure the kernel's IPv4 UDP forwarding between namespaces instead.")
    var kernel = false

    @Flag(help: "Keep the router running after the measurement; prints its pid.")
    var keep = false

    @Flag(help: "Start no router: measure one already running with the configuration --write-config wrote (under callgrind, say).")
    var attach = false

    @Option(help: "Write the router's configuration here and exit.")
    var writeConfig: String?

    func run() throws {
        guard payload >= 8 && payload <= 1400 else { throw ValidationError("--payload must be 8…1400") }
        if kernel { return try runKernel() }
        let folder = NSTemporaryDirectory() + "nip-bench-\(getpid())"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let (generator, routerIn, routerOut, sink, control) = (port, port + 1, port + 2, port + 3, port + 4)
        let config = NodeConfig(
            name: "bench-router", role: .router, dialect: .compact,
            interfaces: [
                .init(name: "in", address: .compact(CompactAddress("0x10")!),
                      link: .udp(local: .init(host: "127.0.0.1", port: routerIn), peer: .init(host: "127.0.0.1", port: generator))),
                .init(name: "out", address: .compact(CompactAddress("0x11")!),
                      link: .udp(local: .init(host: "127.0.0.1", port: routerOut), peer: .init(host: "127.0.0.1", port: sink))),
            ],
            routes: [.init(prefix: .compact(CompactAddressPrefix(exactly: CompactAddress("0x02")!)), interface: "out")],
            control: .init(host: "127.0.0.1", port: control), logLevel: "warning")
        if let writeConfig {
            try config.yaml.write(toFile: writeConfig, atomically: true, encoding: .utf8)
            print("wrote \(writeConfig); run `nip node --config \(writeConfig) --count-allocations`, then `nip bench-node --attach`")
            return
        }
        let configPath = folder + "/router.yaml"
        try config.yaml.write(toFile: configPath, atomically: true, encoding: .utf8)
        let pid = attach ? 0 : try ProcessControl.spawn(ProcessControl.currentExecutable(), ["node", "--config", configPath, "--count-allocations"],
                                           log: folder + "/router.log")
        let entry = RunState.NodeEntry(name: "bench-router", pid: pid, control: "127.0.0.1:\(control)", app: "",
                                       config: configPath, log: folder + "/router.log")
        defer { if !keep && !attach { ProcessControl.stopAll([entry]) } }
        let endpoint = NodeConfig.Endpoint(host: "127.0.0.1", port: control)
        guard ControlClient.waitUntilReady(endpoint, pid: attach ? nil : pid, timeout: 30) else { throw ToolError("the router did not start; see \(folder)/router.log") }

        let data = [UInt8](repeating: 0x5A, count: payload - 8)
        let packet = PacketBuilder.udp(dialect: .compact, source: .compact(CompactAddress("0x01")!), sourcePort: 9,
                                       destination: .compact(CompactAddress("0x02")!), destinationPort: 9,
                                       contract: nil, data: data)!
        let before = try status(endpoint)
        let result = try LoadGenerator.run(source: .init(host: "127.0.0.1", port: generator),
                                           target: .init(host: "127.0.0.1", port: routerIn),
                                           sink: .init(host: "127.0.0.1", port: sink),
                                           datagram: packet, duration: duration, rate: rate > 0 ? rate : nil)
        let after = try status(endpoint)
        let forwarded = (after["forwarded"] ?? 0) - (before["forwarded"] ?? 0)
        let mallocs = (after["mallocs"] ?? 0) - (before["mallocs"] ?? 0)
        print("router: 1 process, 1 event loop thread; packet \(packet.count) bytes (New IP payload \(payload) bytes)")
        print(String(format: "forwarded: %.0f packets/s (measured at the sink)", result.packetsPerSecond))
        print("generator: \(result)")
        print("router counters: rx \(after["received"] ?? 0), tx \(after["forwarded"] ?? 0), drops \(after["drops"] ?? 0)")
        if forwarded > 0 {
            print(String(format: "heap allocations in the router process: %d for %d packets forwarded (%.3f per packet)",
                         mallocs, forwarded, Double(mallocs) / Double(forwarded)))
        }
        print("router resident memory: \((after["resident_bytes"] ?? 0) / 1024) KiB")
        if keep { print("router left running: pid \(pid), config \(configPath)") }
    }

    private func status(_ endpoint: NodeConfig.Endpoint) throws -> [String: Int] {
        let status = try ControlClient.request("GET", endpoint, "/status").json ?? [:]
        let counters = try ControlClient.request("GET", endpoint, "/counters").json ?? [:]
        return ["mallocs": status["mallocs"] as? Int ?? 0, "resident_bytes": status["resident_bytes"] as? Int ?? 0,
                "forwarded": counters["tx_packets"] as? Int ?? 0, "received": counters["rx_packets"] as? Int ?? 0,
                "drops": counters["drops"] as? Int ?? 0]
    }

    /// gen (10.77.1.1) — rtr (10.77.1.2 | 10.77.2.2) — sink (10.77.2.1), plain kernel forwarding.
    private func runKernel() throws {
        let namespaces = ["nipb-gen", "nipb-rtr", "nipb-sink"]
        func sh(_ command: String) throws {
            let result = ProcessControl.shell(command)
            guard result.status == 0 else { throw ToolError("`\(command)` failed (are network namespaces permitted?): \(result.output)") }
        }
        ProcessControl.deleteNamespaces(namespaces)
        defer { ProcessControl.deleteNamespaces(namespaces) }
        for ns in namespaces { try sh("ip netns add \(ns) && ip -n \(ns) link set lo up") }
        try sh("ip link add nipb-g0 netns nipb-gen type veth peer name nipb-r0 netns nipb-rtr")
        try sh("ip link add nipb-s0 netns nipb-sink type veth peer name nipb-r1 netns nipb-rtr")
        try sh("ip -n nipb-gen addr add 10.77.1.1/24 dev nipb-g0 && ip -n nipb-gen link set nipb-g0 up")
        try sh("ip -n nipb-rtr addr add 10.77.1.2/24 dev nipb-r0 && ip -n nipb-rtr link set nipb-r0 up")
        try sh("ip -n nipb-rtr addr add 10.77.2.2/24 dev nipb-r1 && ip -n nipb-rtr link set nipb-r1 up")
        try sh("ip -n nipb-sink addr add 10.77.2.1/24 dev nipb-s0 && ip -n nipb-sink link set nipb-s0 up")
        try sh("ip -n nipb-gen route add default via 10.77.1.2 && ip -n nipb-sink route add default via 10.77.2.2")
        try sh("ip netns exec nipb-rtr sysctl -qw net.ipv4.ip_forward=1")
        let data = [UInt8](repeating: 0x5A, count: payload - 8)
        let result = try LoadGenerator.run(source: .init(host: "10.77.1.1", port: port, namespace: "nipb-gen"),
                                           target: .init(host: "10.77.2.1", port: port + 3),
                                           sink: .init(host: "10.77.2.1", port: port + 3, namespace: "nipb-sink"),
                                           datagram: data, duration: duration, rate: rate > 0 ? rate : nil)
        print("kernel IPv4 forwarding over veth between namespaces, UDP payload \(payload) bytes:")
        print(String(format: "forwarded: %.0f packets/s (measured at the sink)", result.packetsPerSecond))
        print("generator: \(result)")
    }
}
