import Crypto
import Foundation
import NewIPSecurity
import NewIPWire

/// A problem with one of the registered mode's files or messages, said in words.
public struct SecurityFileError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Files that hold secrets: written whole (a temporary file beside the target, flushed, renamed
/// over it) with mode 0600, never replacing an existing file unless `force`; read only when
/// neither group nor others may read them.
enum PrivateFile {
    static func write(_ text: String, to path: String, force: Bool = false) throws {
        var status = stat()
        if lstat(path, &status) == 0 {
            guard status.st_mode & S_IFMT == S_IFREG else { throw SecurityFileError("\(path): exists and is not a regular file") }
            guard force else { throw SecurityFileError("\(path): exists; it is not replaced (choose another name, or --force)") }
        }
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { String(path[...$0]) } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        let temporary = "\(folder).\(name).nip-tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw SecurityFileError("\(path): cannot create a temporary file beside it (\(String(cString: strerror(errno))))") }
        let bytes = Array(text.utf8)
        var failure: Int32 = fchmod(fd, 0o600) == 0 ? 0 : errno
        var written = 0
        while failure == 0 && written < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, $0.count - written) }
            if n < 0 { if errno != EINTR { failure = errno } } else { written += n }
        }
        if failure == 0 && fsync(fd) != 0 { failure = errno }
        if close(fd) != 0 && failure == 0 { failure = errno }
        if failure == 0 && rename(temporary, path) != 0 { failure = errno }
        if failure != 0 {
            unlink(temporary)
            throw SecurityFileError("\(path): cannot write it (\(String(cString: strerror(failure))))")
        }
    }

    /// The file's text; refused when others may read it.
    static func read(_ path: String, what: String) throws -> String {
        var status = stat()
        guard stat(path, &status) == 0 else { throw SecurityFileError("\(path): cannot read the \(what) (\(String(cString: strerror(errno))))") }
        let mode = status.st_mode & 0o777
        guard mode & 0o077 == 0 else {
            throw SecurityFileError("\(path): holds a \(what) but its mode is \(String(mode, radix: 8)), readable by others; run `chmod 600 \(path)`")
        }
        guard status.st_size <= 65536, let data = FileManager.default.contents(atPath: path) else {
            throw SecurityFileError("\(path): cannot read the \(what)")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// `name: value` lines after a header line.
    static func fields(_ text: String, header: String, path: String) throws -> [String: String] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true)
        guard lines.first.map(String.init) == header else {
            throw SecurityFileError("\(path): line 1: expected \"\(header)\"")
        }
        var fields: [String: String] = [:]
        for (index, line) in lines.enumerated().dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { throw SecurityFileError("\(path): line \(index + 1): expected \"name: value\"") }
            fields[String(line[..<colon])] = String(line[line.index(after: colon)...].drop { $0 == " " })
        }
        return fields
    }
}

/// The domain's first-hop secret file (mode 0600): its epoch and the 16-byte AES key every
/// first hop of the domain and the registrar hold.
///
/// ```
/// swift-newip first-hop secret v1
/// epoch: 1
/// key: <32 hex digits>
/// ```
public enum FirstHopSecretFile {
    public static let header = "swift-newip first-hop secret v1"

    public static func text(epoch: UInt8, key: [UInt8]) -> String { "\(header)\nepoch: \(epoch)\nkey: \(hex(key))\n" }

    public static func write(_ secret: FirstHopSecret, to path: String, force: Bool = false) throws {
        try PrivateFile.write(text(epoch: secret.epoch, key: secret.key.withUnsafeBytes { Array($0) }), to: path, force: force)
    }

    public static func read(_ path: String) throws -> FirstHopSecret {
        let fields = try PrivateFile.fields(try PrivateFile.read(path, what: "first-hop secret"), header: header, path: path)
        guard let epochText = fields["epoch"], let epoch = UInt8(epochText) else { throw SecurityFileError("\(path): `epoch` must be 0…255") }
        guard let keyText = fields["key"], let key = parseHexBytes(keyText), key.count == 16 else {
            throw SecurityFileError("\(path): `key` must be 32 hex digits (an AES-128 key)")
        }
        return FirstHopSecret(epoch: epoch, key: SymmetricKey(data: key))
    }
}

/// What enrolment gave a device (mode 0600): its address certificate and its source key.
///
/// ```
/// swift-newip enrolment v1
/// domain: example.net
/// address: 0x05
/// registrar-key: <64 hex: the registrar's Ed25519 public key>
/// certificate: <hex of the AddressCertificate encoding>
/// epoch: 1
/// source-key: <32 hex: K_src>
/// log-index: 3
/// ```
public struct Enrolment: Sendable {
    public static let header = "swift-newip enrolment v1"

    public var domain: String
    public var address: FrameworkAddress
    public var registrarKey: [UInt8]
    public var certificate: AddressCertificate
    public var sourceKey: SourceKey
    public var logIndex: Int

    public init(domain: String, address: FrameworkAddress, registrarKey: [UInt8], certificate: AddressCertificate,
                sourceKey: SourceKey, logIndex: Int) {
        self.domain = domain
        self.address = address
        self.registrarKey = registrarKey
        self.certificate = certificate
        self.sourceKey = sourceKey
        self.logIndex = logIndex
    }

    public var text: String {
        "\(Self.header)\ndomain: \(domain)\naddress: \(address)\nregistrar-key: \(hex(registrarKey))\n"
            + "certificate: \(hex(certificate.encoded))\nepoch: \(sourceKey.epoch)\nsource-key: \(hex(sourceKey.bytes))\nlog-index: \(logIndex)\n"
    }

    public func write(to path: String, force: Bool = false) throws { try PrivateFile.write(text, to: path, force: force) }

    public static func read(_ path: String) throws -> Enrolment {
        let fields = try PrivateFile.fields(try PrivateFile.read(path, what: "source key"), header: header, path: path)
        func field(_ name: String) throws -> String {
            guard let value = fields[name] else { throw SecurityFileError("\(path): no `\(name)` line") }
            return value
        }
        guard let address = FrameworkAddress(try field("address")) else { throw SecurityFileError("\(path): `address` is not an address") }
        guard let registrarKey = parseHexBytes(try field("registrar-key")), registrarKey.count == 32 else {
            throw SecurityFileError("\(path): `registrar-key` must be 64 hex digits")
        }
        guard let certificateBytes = parseHexBytes(try field("certificate")) else { throw SecurityFileError("\(path): `certificate` is not hex") }
        let certificate: AddressCertificate
        do { certificate = try AddressCertificate(parsing: certificateBytes) } catch {
            throw SecurityFileError("\(path): the certificate does not decode: \(error)")
        }
        guard let epoch = UInt8(try field("epoch")) else { throw SecurityFileError("\(path): `epoch` must be 0…255") }
        guard let key = parseHexBytes(try field("source-key")), key.count == 16 else {
            throw SecurityFileError("\(path): `source-key` must be 32 hex digits")
        }
        return Enrolment(domain: try field("domain"), address: address, registrarKey: registrarKey, certificate: certificate,
                         sourceKey: SourceKey(epoch: epoch, key: SymmetricKey(data: key)), logIndex: Int(fields["log-index"] ?? "") ?? -1)
    }
}

/// The wall clock, in nanoseconds since the Unix epoch.
public func unixNanoseconds() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_REALTIME, &time)
    return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
}
