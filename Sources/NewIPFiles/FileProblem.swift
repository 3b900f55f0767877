import Foundation

/// A file-system problem as one line: the path as the user named it (with the option that
/// named it, e.g. `--out results`) and what is wrong, never a raw Foundation error.
public struct FileProblem: Error, Sendable, Equatable, CustomStringConvertible {
    /// `--out results` or `base.yaml`.
    public var subject: String
    /// What is wrong and, after `; `, what to do.
    public var problem: String

    public init(_ path: String, option: String? = nil, _ problem: String) {
        subject = option.map { "\($0) \(path)" } ?? path
        self.problem = problem
    }

    public var description: String { "\(subject): \(problem)" }

    /// Words for an `errno` a file operation set.
    public static func cause(_ code: Int32) -> String {
        switch code {
        case EACCES, EPERM: "permission denied"
        case EROFS: "the file system is read-only"
        case ENOSPC: "no space left on the device"
        case EDQUOT: "over the disk quota"
        case ENAMETOOLONG: "the name is too long"
        case ENOENT: "no such file or folder"
        case ENOTDIR: "a part of the path is a file, not a folder"
        case EISDIR: "it is a folder, not a file"
        case ELOOP: "too many symbolic links"
        case EEXIST: "it already exists"
        default: String(cString: strerror(code))
        }
    }
}

/// What `lstat`/`stat` say about a path.
enum PathKind: Equatable {
    case missing, file, folder, other
    /// Why the path could not be looked at (parent not a folder, permission, ...).
    case unreachable(Int32)

    init(_ path: String, following: Bool = true) {
        var info = stat()
        guard (following ? stat(path, &info) : lstat(path, &info)) == 0 else {
            self = errno == ENOENT ? .missing : .unreachable(errno)
            return
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG: self = .file
        case S_IFDIR: self = .folder
        default: self = .other
        }
    }
}

/// Paths as the file system sees them.
enum Paths {
    static func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }

    /// The folder holding `path` ("." for a bare name). By hand: NSString's path methods
    /// trap on some one-letter names in swift-corelibs-foundation.
    static func parent(of path: String) -> String {
        let trimmed = trailingSlashesRemoved(path)
        guard let slash = trimmed.lastIndex(of: "/") else { return "." }
        let parent = trailingSlashesRemoved(String(trimmed[..<slash]))
        return parent.isEmpty ? "/" : parent
    }

    static func lastComponent(of path: String) -> String {
        let trimmed = trailingSlashesRemoved(path)
        return trimmed.lastIndex(of: "/").map { String(trimmed[trimmed.index(after: $0)...]) } ?? trimmed
    }

    static func join(_ folder: String, _ name: String) -> String {
        folder.hasSuffix("/") ? folder + name : folder + "/" + name
    }

    private static func trailingSlashesRemoved(_ path: String) -> String {
        var path = path
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        return path
    }

    /// `path` with symbolic links resolved, or nil when it does not exist.
    static func real(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// A fresh name beside `target` for work in progress: `.NAME.partial-PID-RANDOM`.
    static func staging(for target: String, _ kind: String = "partial") -> String {
        let suffix = "\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        return join(parent(of: target), ".\(lastComponent(of: target)).\(kind)-\(suffix)")
    }

    /// Why files cannot be made in `folder`, checked before writing so the error names the
    /// folder rather than a temporary file.
    static func folderProblem(_ folder: String) -> String? {
        switch PathKind(folder) {
        case .folder: return access(folder, W_OK | X_OK) == 0 ? nil : "cannot create files in \(folder) (\(FileProblem.cause(errno)))"
        case .missing: return "the folder \(folder) does not exist"
        case .file, .other: return "\(folder) is a file, not a folder"
        case .unreachable(let code): return unreachable(folder, code)
        }
    }

    /// Why `path` cannot be looked at (`code` from `stat`): names the ancestor that is a
    /// file when that is the reason.
    static func unreachable(_ path: String, _ code: Int32) -> String {
        var ancestor = parent(of: path)
        while code == ENOTDIR, ancestor != "/" && ancestor != "." {
            if case .file = PathKind(ancestor) { return "\(ancestor) is a file, not a folder" }
            ancestor = parent(of: ancestor)
        }
        return "cannot reach it (\(FileProblem.cause(code)))"
    }

    /// Writes all of `bytes` to a new file at `path` (which must not exist).
    static func writeNew(_ bytes: [UInt8], to path: String) throws(Failure) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw Failure(code: errno) }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                let code = errno
                close(fd)
                throw Failure(code: code)
            }
            written += n
        }
        guard close(fd) == 0 else { throw Failure(code: errno) }
    }

    /// The names in `folder`, without `.` and `..`.
    static func entries(of folder: String) throws(Failure) -> [String] {
        guard let stream = opendir(folder) else { throw Failure(code: errno) }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// An `errno` from a file operation, translated where the caller knows the user's path.
    struct Failure: Error { var code: Int32 }
}
