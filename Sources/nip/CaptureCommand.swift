import ArgumentParser
import Dispatch
import Foundation
import NewIPCapture
import NewIPFiles
import NewIPJSON
import NewIPRuntime
import NewIPWire

struct CaptureCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "capture",
        abstract: "Capture the packets of a running node's interface to a pcapng file.",
        discussion: """
        The node mirrors every packet the interface sends or receives to this command over loopback (a \
        lease renewed every 2 s, so a killed capture stops by itself). Each packet is written as an \
        Ethernet frame with EtherType 0xEADD (compact) or 0x88B6 (framework), so Wireshark and tshark \
        dispatch it by EtherType; the MAC addresses are placeholders: 02:4e:49:50:00:01 is the node, \
        02:4e:49:50:00:02 its neighbour. Stops after --count packets, --duration seconds, or Ctrl-C.
        """)

    @OptionGroup var nodeOptions: NodeOptions

    @Argument(help: "The interface to capture (eth0).")
    var interface: String

    @Option(name: .shortAndLong, help: "The pcapng file to write (an existing file only with --force).")
    var output = "capture.pcapng"

    @Flag(help: "Replace an existing output file.")
    var force = false

    @Option(name: .shortAndLong, help: "Stop after this many packets.")
    var count: Int?

    @Option(help: "Stop after this many seconds.")
    var duration: Double?

    func run() throws {
        try OutputFile.check(output, option: "--output", force: force)
        let target = try nodeOptions.target()
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw ToolError("socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var size: Int32 = 8 << 20
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw ToolError("cannot bind a loopback socket: \(String(cString: strerror(errno)))") }
        let sink = "127.0.0.1:\(UInt16(bigEndian: address.sin_port))"
        var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))

        let path = "/capture?interface=\(interface)&sink=\(sink)"
        let start = try ControlClient.request("POST", target.control, path)
        guard start.status == 200 else { throw ToolError("node \(target.name) refused the capture: \(start.errorMessage)") }
        let dialect: String
        do { dialect = try start.read { answer throws(JSONValue.FieldError) in try answer.string("dialect") } } catch {
            throw ToolError("node \(target.name): \(error)")
        }
        let etherType: EtherType = dialect == "framework" ? .frameworkNewIP : .compactNewIP
        // Written as it comes, so a capture stopped any way keeps what it caught.
        let file = try OutputFile.create(output, option: "--output", force: force)
        let interrupted = InterruptFlag()
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler { interrupted.set() }
        source.resume()
        FileHandle.standardError.write(Data("capturing \(target.name):\(interface) to \(output) (Ctrl-C to stop)\n".utf8))

        var writer = PcapngWriter(interfaceNames: [.ethernet: "\(target.name):\(interface)"])
        var written = 0
        var captured = 0
        let node = EthernetAddress(0x02, 0x4E, 0x49, 0x50, 0x00, 0x01)
        let neighbour = EthernetAddress(0x02, 0x4E, 0x49, 0x50, 0x00, 0x02)
        let began = Date()
        var renewed = Date()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while !interrupted.isSet {
            if let count, captured >= count { break }
            if let duration, Date().timeIntervalSince(began) >= duration { break }
            if Date().timeIntervalSince(renewed) >= 2 {
                _ = try? ControlClient.request("POST", target.control, path)
                renewed = Date()
            }
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
            guard n > 0, let record = CaptureRecord(Array(buffer[0..<n])) else { continue }
            let frameHeader = EthernetFrame(destination: record.outgoing ? neighbour : node,
                                            source: record.outgoing ? node : neighbour,
                                            etherType: record.isIP ? (record.packet.first.map { $0 >> 4 == 6 } == true ? .ipv6 : .ipv4)
                                                : etherType)
            var frame = [UInt8](repeating: 0, count: EthernetFrame.headerLength)
            frame.withUnsafeMutableBytes { frameHeader.encode(into: $0) }
            frame += record.packet
            try writer.append(CapturedPacket(timestampNanoseconds: Int64(record.timestamp), data: frame, linkType: .ethernet))
            captured += 1
            file.write(Data(writer.bytes[written...]))
            written = writer.bytes.count
        }
        _ = try? ControlClient.request("DELETE", target.control, path)
        file.write(Data(writer.bytes[written...]))
        try file.close()
        FileHandle.standardError.write(Data("captured \(captured) packets to \(output)\n".utf8))
    }
}

final class InterruptFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}
