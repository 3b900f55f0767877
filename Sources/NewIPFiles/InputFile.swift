import Foundation

/// Reads input files, saying exactly why one cannot be read: missing, a folder, not
/// permitted, or binary where text is expected.
public enum InputFile {
    /// The bytes of the file at `path`; `option` names the option that gave it, for messages.
    public static func bytes(_ path: String, option: String? = nil) throws(FileProblem) -> [UInt8] {
        func refuse(_ problem: String) -> FileProblem { FileProblem(path, option: option, problem) }
        switch PathKind(path) {
        case .missing: throw refuse("no such file")
        case .folder: throw refuse("is a folder, not a file")
        case .unreachable(let code): throw refuse(Paths.unreachable(path, code))
        case .file, .other: break
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw refuse(errno == EACCES ? "permission denied: this user may not read it" : "cannot open it (\(FileProblem.cause(errno)))")
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw refuse("cannot read it (\(FileProblem.cause(errno)))")
            }
            if n == 0 { return bytes }
            bytes += chunk[0..<n]
        }
    }

    /// The file at `path` as UTF-8 text; a binary file is refused, naming the first byte
    /// that is not text.
    public static func text(_ path: String, option: String? = nil) throws(FileProblem) -> String {
        let bytes = try bytes(path, option: option)
        if let offset = binaryOffset(bytes) {
            throw FileProblem(path, option: option,
                              "is a binary file, not UTF-8 text (byte \(offset) is 0x\(bytes[offset] < 16 ? "0" : "")\(String(bytes[offset], radix: 16, uppercase: true)))")
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Where `bytes` stop being text: a NUL or the start of an invalid UTF-8 sequence.
    static func binaryOffset(_ bytes: [UInt8]) -> Int? {
        var decoder = UTF8()
        var iterator = bytes.makeIterator()
        var offset = 0
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                if scalar.value == 0 { return offset }
                offset += UTF8.width(scalar)
            case .emptyInput: return nil
            case .error: return offset
            }
        }
    }
}
