import Foundation

// File I/O lives here so the codecs themselves need only the standard library.

extension CaptureReader {
    /// Reads the whole file at `path`; throws Foundation's error if it cannot be
    /// read, or a `CaptureError` if its header is not a capture's.
    public init(contentsOf path: String) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        try self.init([UInt8](data))
    }
}

extension PcapWriter {
    /// Writes `bytes` to `path` atomically: the file holds either its old
    /// content or the whole capture, never part of it.
    public func write(toFile path: String) throws {
        try writeAtomically(bytes, toFile: path)
    }
}

extension PcapngWriter {
    /// Writes `bytes` to `path` atomically: the file holds either its old
    /// content or the whole capture, never part of it.
    public func write(toFile path: String) throws {
        try writeAtomically(bytes, toFile: path)
    }
}

/// Writes to a temporary file in the destination's directory (so the rename
/// stays on one file system), flushes it to disk, then renames it over `path`.
func writeAtomically(_ bytes: [UInt8], toFile path: String) throws {
    let destination = URL(fileURLWithPath: path)
    let temporary = destination.deletingLastPathComponent()
        .appendingPathComponent(".\(destination.lastPathComponent).\(UInt64.random(in: 0...UInt64.max)).tmp")
    guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
        throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: temporary.path])
    }
    do {
        let handle = try FileHandle(forWritingTo: temporary)
        defer { try? handle.close() }
        try handle.write(contentsOf: bytes)
        try handle.synchronize()
        guard rename(temporary.path, destination.path) == 0 else {
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
    } catch {
        try? FileManager.default.removeItem(at: temporary)
        throw error
    }
}
