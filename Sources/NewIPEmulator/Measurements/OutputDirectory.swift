import Foundation

/// Writes a set of files as one directory, atomically: everything goes into a temporary
/// directory beside the target, which then replaces it by renames. A reader sees the old
/// directory or the complete new one, never a half-written mix.
enum OutputDirectory {
    static func write(_ files: [(name: String, contents: [UInt8])], to path: String) throws {
        let manager = FileManager.default
        let target = URL(fileURLWithPath: path).standardizedFileURL
        let parent = target.deletingLastPathComponent()
        try manager.createDirectory(at: parent, withIntermediateDirectories: true)
        let suffix = "\(ProcessInfo.processInfo.processIdentifier)-\(UInt64.random(in: 0...UInt64.max))"
        let staging = parent.appendingPathComponent(".\(target.lastPathComponent).partial-\(suffix)")
        try manager.createDirectory(at: staging, withIntermediateDirectories: false)
        do {
            for file in files {
                try Data(file.contents).write(to: staging.appendingPathComponent(file.name))
            }
            if manager.fileExists(atPath: target.path) {
                let old = parent.appendingPathComponent(".\(target.lastPathComponent).old-\(suffix)")
                try manager.moveItem(at: target, to: old)
                try manager.moveItem(at: staging, to: target)
                // The new results are in place; a leftover old copy does no harm.
                try? manager.removeItem(at: old)
            } else {
                try manager.moveItem(at: staging, to: target)
            }
        } catch {
            try? manager.removeItem(at: staging)
            throw error
        }
    }
}
