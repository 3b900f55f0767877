import Foundation
import NewIPDataPlane
import NewIPRuntime
import NewIPTopology
import NewIPWire
import NipTestSupport
import XCTest

/// Real node processes for the integration tests: `nip node` from the same build, configs in a
/// temporary folder, ports the kernel says are free, everything stopped in `tearDown`.
class NodeProcessTestCase: XCTestCase {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    var folder: URL!
    var started: [RunState.NodeEntry] = []

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("nip-runtime-tests-\(getpid())-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        let left = ProcessControl.stopAll(started, grace: 5)
        XCTAssertTrue(left.isEmpty, "node processes left running: \(left.map(\.name))")
        started = []
        try? FileManager.default.removeItem(at: folder)
    }

    /// The `nip` next to the test bundle (both are products of the same build).
    var nip: String { get throws { try NipRunner.nip.path } }

    /// Runs `nip arguments` to completion (in the test's folder unless told otherwise).
    func run(_ arguments: [String], in directory: URL? = nil) throws -> (status: Int32, output: String, error: String) {
        let run = try NipRunner.run(arguments, in: directory ?? folder)
        return (run.status, run.standardOutput, run.standardError)
    }

    /// Starts `nip node` with `config` (and command-line `options`) and waits until its control endpoint answers.
    @discardableResult
    func startNode(_ config: NodeConfig, options: [String] = []) throws -> RunState.NodeEntry {
        let path = folder.appendingPathComponent("\(config.name).yaml").path
        let log = folder.appendingPathComponent("\(config.name).log").path
        try config.yaml.write(toFile: path, atomically: true, encoding: .utf8)
        let pid = try ProcessControl.spawn(try nip, ["node", "--config", path] + options, log: log)
        let entry = RunState.NodeEntry(name: config.name, pid: pid, control: config.control.description,
                                       app: config.app?.description ?? "", config: path, log: log)
        started.append(entry)
        if ControlClient.waitUntilReady(config.control, pid: pid) { return entry }
        throw ToolError("node \(config.name) did not start: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
    }

    func counters(_ config: NodeConfig) throws -> [String: Any] {
        let response = try ControlClient.request("GET", config.control, "/counters")
        XCTAssertEqual(response.status, 200)
        return response.json ?? [:]
    }

    /// One interface's counter (`rx_packets`, ...).
    func counter(_ config: NodeConfig, _ interface: String, _ name: String) throws -> Int {
        let interfaces = try counters(config)["interfaces"] as? [String: Any]
        return (interfaces?[interface] as? [String: Any])?[name] as? Int ?? -1
    }

    func drops(_ config: NodeConfig, _ interface: String) throws -> [String: Int] {
        let interfaces = try counters(config)["interfaces"] as? [String: Any]
        return ((interfaces?[interface] as? [String: Any])?["drops"] as? [String: Int]) ?? [:]
    }
}

/// Free loopback ports, as the kernel hands them out.
enum FreePorts {
    static func take(_ count: Int) -> [Int] {
        var ports: [Int] = []
        var sockets: [Int32] = []
        while ports.count < count {
            let udp = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(udp, $0, length) == 0 && getsockname(udp, $0, &length) == 0 }
            }
            let port = Int(UInt16(bigEndian: address.sin_port))
            // The TCP port of the same number must be free too (control endpoints are TCP).
            let tcp = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var tcpAddress = address
            let tcpFree = withUnsafeMutablePointer(to: &tcpAddress) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(tcp, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
            }
            sockets += [udp, tcp]
            if tcpFree && !ports.contains(port) { ports.append(port) }
        }
        for fd in sockets { close(fd) }
        return ports
    }
}

func compact(_ text: String) -> FrameworkAddress { .compact(CompactAddress(text)!) }

extension NodeConfig.Endpoint {
    static func loopback(_ port: Int) -> NodeConfig.Endpoint { .init(host: "127.0.0.1", port: port) }
}

/// h1 (0x01) — r1 (0x10, 0x11) — h2 (0x02) over UDP on loopback, on free ports.
func chainConfigs(lbfTowardsH2: Bool = true) -> (h1: NodeConfig, r1: NodeConfig, h2: NodeConfig) {
    let p = FreePorts.take(10)
    let h1 = NodeConfig(name: "h1", role: .host, interfaces: [
        .init(name: "eth0", address: compact("0x01"), link: .udp(local: .loopback(p[0]), peer: .loopback(p[1])), delay: 1_000_000),
    ], routes: [.init(prefix: .compact(.all), interface: "eth0", toDelay: 2_000_000, toHops: 2)],
    control: .loopback(p[4]), app: .loopback(p[5]))
    let r1 = NodeConfig(name: "r1", role: .router, interfaces: [
        .init(name: "eth0", address: compact("0x10"), link: .udp(local: .loopback(p[1]), peer: .loopback(p[0])), delay: 1_000_000),
        .init(name: "eth1", address: compact("0x11"), link: .udp(local: .loopback(p[2]), peer: .loopback(p[3])), delay: 1_000_000,
              queue: .init(discipline: lbfTowardsH2 ? .lbf : .fifo)),
    ], routes: [
        .init(prefix: .compact(CompactAddressPrefix(exactly: CompactAddress("0x01")!)), interface: "eth0", toDelay: 1_000_000),
        .init(prefix: .compact(CompactAddressPrefix(exactly: CompactAddress("0x02")!)), interface: "eth1", toDelay: 1_000_000),
    ], control: .loopback(p[6]), app: .loopback(p[7]))
    let h2 = NodeConfig(name: "h2", role: .host, interfaces: [
        .init(name: "eth0", address: compact("0x02"), link: .udp(local: .loopback(p[3]), peer: .loopback(p[2])), delay: 1_000_000),
    ], routes: [.init(prefix: .compact(.all), interface: "eth0", toDelay: 2_000_000, toHops: 2)],
    control: .loopback(p[8]), app: .loopback(p[9]))
    return (h1, r1, h2)
}

/// Polls `condition` every 20 ms until it holds, for up to `timeout` seconds (what another
/// process does takes a moment to show in its counters); fails the test if it never does.
func waitFor(_ condition: () throws -> Bool, timeout: Double = 5, file: StaticString = #filePath, line: UInt = #line) rethrows {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if try condition() { return }
        usleep(20_000)
    }
    XCTFail("condition not met within \(timeout) s", file: file, line: line)
}

/// Waits until a process has written `text` to `pipe` (what a tool prints once it is ready).
func waitForOutput(_ pipe: Pipe, containing text: String, timeout: Double = 10) -> Bool {
    final class Seen: @unchecked Sendable {
        let lock = NSLock()
        var text = ""
        let signal = DispatchSemaphore(value: 0)
    }
    let seen = Seen()
    pipe.fileHandleForReading.readabilityHandler = { handle in
        let data = handle.availableData
        seen.lock.lock()
        defer { seen.lock.unlock() }
        seen.text += String(decoding: data, as: UTF8.self)
        if data.isEmpty || seen.text.contains(text) {
            handle.readabilityHandler = nil
            seen.signal.signal()
        }
    }
    _ = seen.signal.wait(timeout: .now() + timeout)
    return seen.lock.withLock { seen.text.contains(text) }
}
