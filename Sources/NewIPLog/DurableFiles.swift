import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes files so that a crash leaves either the old content or the new, never a mix: each
/// file goes to a temporary name in its folder, is fsynced, then renamed over the target. The
/// folders touched are fsynced once, by `sync()`, so renames and new folders survive a crash.
struct DurableWriter {
    let root: String
    private var folders: Set<String> = []

    init(root: String) { self.root = root }

    mutating func write(_ data: Data, to relative: String, mode: mode_t = 0o644) throws {
        let path = root + "/" + relative
        let folder = (path as NSString).deletingLastPathComponent
        try makeFolders(folder)
        let temporary = folder + "/.tmp-" + (path as NSString).lastPathComponent + "-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw Self.failure(temporary, "cannot create") }
        var written = 0
        let ok = data.withUnsafeBytes { buffer -> Bool in
            while written < buffer.count {
                let n = Glibc.write(fd, buffer.baseAddress! + written, buffer.count - written)
                if n < 0 { if errno == EINTR { continue }; return false }
                written += n
            }
            return fsync(fd) == 0
        }
        let error = Self.failure(temporary, "cannot write")
        close(fd)
        guard ok else { unlink(temporary); throw error }
        guard rename(temporary, path) == 0 else { let error = Self.failure(path, "cannot rename into place"); unlink(temporary); throw error }
        folders.insert(folder)
    }

    /// Creates missing folders up to `root`, remembering each parent to fsync.
    private mutating func makeFolders(_ folder: String) throws {
        guard folder.count > root.count, !FileManager.default.fileExists(atPath: folder) else { return }
        let parent = (folder as NSString).deletingLastPathComponent
        try makeFolders(parent)
        guard mkdir(folder, 0o755) == 0 || errno == EEXIST else { throw Self.failure(folder, "cannot create folder") }
        folders.insert(parent)
    }

    mutating func sync() throws {
        for folder in folders.sorted() {
            let fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            guard fd >= 0 else { throw Self.failure(folder, "cannot open folder") }
            let status = fsync(fd)
            close(fd)
            guard status == 0 else { throw Self.failure(folder, "cannot fsync folder") }
        }
        folders = []
    }

    static func failure(_ path: String, _ what: String) -> LogError {
        .io(path, "\(what): \(String(cString: strerror(errno)))")
    }
}

/// Reads a file of the log, telling a missing file from an unreadable one.
func readFile(_ path: String) throws -> Data {
    guard FileManager.default.fileExists(atPath: path) else { throw LogError.missing(path) }
    guard let data = FileManager.default.contents(atPath: path) else { throw LogError.io(path, "cannot read") }
    return data
}
