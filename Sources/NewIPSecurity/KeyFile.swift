#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import NewIPWire

/// The device key file (docs/keys.md): three lines of text, the private key only readable by
/// its owner.
///
/// ```
/// swift-newip device key v1
/// private-key: <64 hex digits: the 32-byte Ed25519 seed>
/// public-key: <64 hex digits: the 32-byte public key>
/// ```
///
/// Written as `OutputFile` writes (NewIPFiles): to a new temporary file in the same folder,
/// flushed, then renamed over the target, so a failure leaves no half file; created with mode
/// 0600. An existing file is never replaced unless `force`. Reading refuses a file that its
/// group or others may read, naming the path and the fix (`chmod 600`).
public enum KeyFile {
    public static let header = "swift-newip device key v1"

    /// The file's text for `identity`.
    public static func text(of identity: DeviceIdentity) -> String {
        "\(header)\nprivate-key: \(hex(identity.seed))\npublic-key: \(hex(identity.publicKey))\n"
    }

    /// Parses the text of a key file; `path` names it in errors.
    public static func parse(_ text: String, path: String) throws(SecurityError) -> DeviceIdentity {
        func refuse(_ problem: String) -> SecurityError { .keyFile(path: path, problem: problem) }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.first == Substring(header) else { throw refuse("line 1: expected \"\(header)\"; this is not a swift-newip key file") }
        var seed: [UInt8]?
        var publicKey: [UInt8]?
        for (index, line) in lines.enumerated().dropFirst() where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { throw refuse("line \(index + 1): expected \"name: value\"") }
            let name = line[..<colon]
            let value = line[line.index(after: colon)...].drop { $0 == " " }
            guard let decoded = parseHexBytes(value), decoded.count == 32 else {
                throw refuse("line \(index + 1): \(name) must be 64 hex digits")
            }
            switch name {
            case "private-key": seed = decoded
            case "public-key": publicKey = decoded
            default: throw refuse("line \(index + 1): unknown field \"\(name)\"")
            }
        }
        guard let seed else { throw refuse("no private-key line") }
        let identity: DeviceIdentity
        do { identity = try DeviceIdentity(seed: seed) } catch { throw refuse("\(error)") }
        if let publicKey, publicKey != identity.publicKey {
            throw refuse("the public-key line does not match the private key; the file is damaged")
        }
        return identity
    }

    /// Reads the key file at `path`, refusing it when group or others may read it.
    public static func read(_ path: String) throws(SecurityError) -> DeviceIdentity {
        func refuse(_ problem: String) -> SecurityError { .keyFile(path: path, problem: problem) }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw refuse("cannot open it (\(cause(errno)))") }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw refuse("cannot read its status (\(cause(errno)))") }
        guard status.st_mode & S_IFMT == S_IFREG else { throw refuse("is not a regular file") }
        let mode = status.st_mode & 0o777
        guard mode & 0o077 == 0 else {
            throw refuse("holds a private key but its mode is \(String(mode, radix: 8)), readable by others; run `chmod 600 \(path)`")
        }
        guard status.st_size <= 4096 else { throw refuse("is \(status.st_size) bytes, too large for a key file") }
        var data = [UInt8](repeating: 0, count: 4097)
        var total = 0
        while total < data.count {
            let n = data.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + total, $0.count - total) }
            if n < 0 {
                if errno == EINTR { continue }
                throw refuse("cannot read it (\(cause(errno)))")
            }
            if n == 0 { break }
            total += n
        }
        guard total <= 4096 else { throw refuse("is too large for a key file") }
        return try parse(String(decoding: data[0..<total], as: UTF8.self), path: path)
    }

    /// Writes `identity` to `path` with mode 0600, atomically; refuses to replace an existing
    /// file unless `force`, and never replaces a folder.
    public static func write(_ identity: DeviceIdentity, to path: String, force: Bool = false) throws(SecurityError) {
        func refuse(_ problem: String) -> SecurityError { .keyFile(path: path, problem: problem) }
        guard !path.isEmpty else { throw refuse("the path is empty; name a file to write") }
        var status = stat()
        if lstat(path, &status) == 0 {
            guard status.st_mode & S_IFMT == S_IFREG else { throw refuse("exists and is not a regular file; choose another name") }
            guard force else { throw refuse("a key file exists; it is not replaced (choose another name, or pass --force to replace the key)") }
        } else if errno != ENOENT {
            throw refuse("cannot check it (\(cause(errno)))")
        }
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { String(path[...$0]) } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        let temporary = "\(folder).\(name).nip-tmp-\(getpid())"
        let bytes = Array(text(of: identity).utf8)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw refuse("cannot create a temporary file beside it (\(cause(errno)))") }
        var failure: Int32 = 0
        if fchmod(fd, 0o600) != 0 { failure = errno }
        var written = 0
        while failure == 0 && written < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, $0.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                failure = errno
            } else {
                written += n
            }
        }
        if failure == 0 && fsync(fd) != 0 { failure = errno }
        if close(fd) != 0 && failure == 0 { failure = errno }
        if failure == 0 && rename(temporary, path) != 0 { failure = errno }
        if failure != 0 {
            unlink(temporary)
            throw refuse("cannot write it (\(cause(failure)))")
        }
    }

    static func cause(_ code: Int32) -> String { String(cString: strerror(code)) }
}
