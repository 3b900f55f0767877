/// Why a log, a checkpoint, a tile or a proof was refused. Each case names where: a file path
/// or URL, and a byte offset when one helps.
public enum LogError: Error, Equatable, CustomStringConvertible, Sendable {
    /// Bytes or text that do not parse: (where, what is wrong).
    case malformed(String, String)
    /// A file or resource that is not there.
    case missing(String)
    /// Data that parses but disagrees with the hashes that commit to it.
    case mismatch(String)
    /// A signature by a known key that does not verify.
    case badSignature(String)
    /// No signature by the expected key, or too few by the required witnesses.
    case unknownKey(String)
    /// Two views of the log that cannot both be true (split view, rollback, bad proof).
    case inconsistent(String)
    /// The file system refused: (path, reason).
    case io(String, String)
    /// A request the log cannot serve: an index past the end, an existing log, ...
    case refused(String)

    public var description: String {
        switch self {
        case .malformed(let place, let why): "\(place): \(why)"
        case .missing(let place): "\(place): not found"
        case .mismatch(let why), .badSignature(let why), .unknownKey(let why), .inconsistent(let why), .refused(let why): why
        case .io(let path, let why): "\(path): \(why)"
        }
    }
}
