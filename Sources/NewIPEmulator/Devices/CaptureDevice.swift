import Foundation
import NewIPCapture
import NewIPDataPlane
import NewIPFiles
import NewIPTopology
import NewIPWire

/// Wraps a device and records every packet it transmits or receives into a pcapng file, as
/// bare New IP packets: link type 147 for the compact dialect, 148 for the framework one;
/// bare IPv4 or IPv6 packets (raw, 101) on a plain-IP interface.
/// Timestamps are virtual time (so a capture starts on 1 January 1970).
///
/// With a file path the capture streams to disk as it grows (memory stays at one buffer,
/// whatever the run's length); without one it stays in memory (`bytes`).
public final class CaptureDevice: NetworkDevice {
    public let base: any NetworkDevice
    public let linkType: LinkType
    public private(set) var writer: PcapngWriter
    private let file: CaptureFile?

    /// Records with the dialect's bare link type.
    public convenience init(_ base: any NetworkDevice, dialect: PacketDialect, name: String, path: String? = nil) throws(FileProblem) {
        try self.init(base, linkType: dialect == .compact ? .newIP : .newIPFramework, name: name, path: path)
    }

    /// Records with `linkType`: `.raw` (101) for a plain IPv4 or IPv6 interface; to the new
    /// file `path` when given.
    public init(_ base: any NetworkDevice, linkType: LinkType, name: String, path: String? = nil) throws(FileProblem) {
        self.base = base
        self.linkType = linkType
        writer = PcapngWriter(interfaceNames: [linkType: name])
        file = try path.map { path throws(FileProblem) in try CaptureFile(path) }
    }

    public var mtu: Int { base.mtu }

    public func canTransmit(now: Nanoseconds) -> Bool { base.canTransmit(now: now) }

    public func transmit(_ packet: consuming PacketBuffer, now: Nanoseconds) {
        record(packet, now: now)
        base.transmit(consume packet, now: now)
    }

    public func receive(now: Nanoseconds) -> PacketBuffer? {
        guard let packet = base.receive(now: now) else { return nil }
        record(packet, now: now)
        return packet
    }

    /// The file so far (in memory), or what is not yet on disk (streaming).
    public var bytes: [UInt8] { writer.bytes }

    /// Whether the capture goes to a file rather than memory.
    public var isStreaming: Bool { file != nil }

    /// Writes what is buffered and closes the file; the first write error of the run, if any.
    public func finish() throws(FileProblem) {
        guard let file else { return }
        file.append(writer.takeBytes())
        try file.close()
    }

    private func record(_ packet: PacketBuffer, now: Nanoseconds) {
        // Virtual time is never negative and packets are below 2^32 bytes: append cannot fail.
        try? writer.append(CapturedPacket(timestampNanoseconds: now, data: packet.bytes, linkType: linkType))
        if let file, writer.bytes.count >= CaptureFile.flushSize { file.append(writer.takeBytes()) }
    }
}

/// A capture file written as it grows. A write error (a full disk) stops the writing and is
/// reported by `close`, so a run is not cut short by its capture but never claims a whole file.
final class CaptureFile {
    /// Bytes buffered in memory before they go to disk.
    static let flushSize = 1 << 20
    private let path: String
    private var descriptor: Int32
    private var failure: Int32?

    init(_ path: String) throws(FileProblem) {
        self.path = path
        descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw FileProblem(path, "cannot create the capture file (\(FileProblem.cause(errno)))") }
    }

    func append(_ bytes: [UInt8]) {
        guard failure == nil else { return }
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                offset += written
            }
        }
    }

    func close() throws(FileProblem) {
        guard descriptor >= 0 else { return }
        defer { descriptor = -1 }
        if Glibc.close(descriptor) != 0, failure == nil { failure = errno }
        if let failure { throw FileProblem(path, "cannot write the capture (\(FileProblem.cause(failure)))") }
    }

    deinit { if descriptor >= 0 { Glibc.close(descriptor) } }
}
