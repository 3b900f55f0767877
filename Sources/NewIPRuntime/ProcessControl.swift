import Foundation

/// Starting and stopping node processes for `nip up` and `nip down`.
public enum ProcessControl {
    /// The running executable (so `nip up` starts the same `nip`).
    public static func currentExecutable() -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    /// Starts `executable arguments` in its own session (so a terminal's Ctrl-C does not reach
    /// it), standard output and error appended to `log`; returns its pid.
    public static func spawn(_ executable: String, _ arguments: [String], log: String) throws -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // Nothing else this process has open (a caller's pipes, say) may outlive it in a daemon.
        if let closeFrom = addCloseFrom { _ = closeFrom(&actions, 3) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, 0x80)  // POSIX_SPAWN_SETSID (glibc), not imported into Swift
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        guard result == 0 else { throw ToolError("posix_spawn \(executable): \(String(cString: strerror(result)))") }
        Reaper.shared.watch(pid)
        return pid
    }

    private typealias CloseFromFunction = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    /// `posix_spawn_file_actions_addclosefrom_np` (glibc 2.34), which the Swift overlay does not import.
    private static let addCloseFrom: CloseFromFunction? = dlsym(dlopen(nil, RTLD_NOW),
                                                                                 "posix_spawn_file_actions_addclosefrom_np")
        .map { unsafeBitCast($0, to: CloseFromFunction.self) }

    /// Runs `command` with /bin/sh, returning its status and combined output.
    @discardableResult
    public static func shell(_ command: String) -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        guard (try? process.run()) != nil else { return (-1, "cannot run /bin/sh") }
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }

    /// Removes network namespaces (`ip netns del`), ignoring those already gone.
    public static func deleteNamespaces(_ namespaces: [String]) {
        for namespace in namespaces { shell("ip netns del \(namespace) 2>/dev/null") }
    }

    public static func isAlive(_ pid: Int32) -> Bool {
        guard pid > 0, kill(pid, 0) == 0 else { return false }
        // A zombie (exited, not yet reaped) is not running.
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return false }
        let state = stat.split(separator: ")").last?.split(separator: " ").first
        return state != "Z"
    }

    /// Whether `pid` is a running `nip node` or `nip registrar run` (what `nip up` starts; not a
    /// recycled pid of something else).
    public static func isNode(_ pid: Int32) -> Bool {
        guard isAlive(pid), let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
        let arguments = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        return arguments.contains("node") && arguments.contains("--config")
            || arguments.contains("registrar") && arguments.contains("run") && arguments.contains("--listen")
    }

    /// How a node ended under `stop`.
    public enum Ending: String, Sendable {
        /// It exited after SIGTERM, within the grace period.
        case stopped
        /// It was still running after the grace period and was killed (SIGKILL).
        case killed
        /// It was not running any more when asked (it had crashed or been killed).
        case alreadyDead = "already dead"
        /// It survived SIGKILL (a process stuck in the kernel).
        case stillRunning = "still running"
    }

    /// SIGTERM to each node, then SIGKILL after `grace` seconds; how each ended, in order.
    public static func stop(_ nodes: [RunState.NodeEntry], grace: Double = 5) -> [(node: RunState.NodeEntry, ending: Ending)] {
        var endings = nodes.map { isNode($0.pid) ? Ending.stopped : .alreadyDead }
        let running = nodes.indices.filter { endings[$0] == .stopped }
        for index in running { kill(nodes[index].pid, SIGTERM) }
        func waitFor(_ indices: [Int], until deadline: Date) -> [Int] {
            var left = indices
            while !left.isEmpty && Date() < deadline {
                usleep(20_000)
                left.removeAll { !isAlive(nodes[$0].pid) }
            }
            return left
        }
        let stubborn = waitFor(running, until: Date().addingTimeInterval(grace))
        for index in stubborn {
            kill(nodes[index].pid, SIGKILL)
            endings[index] = .killed
        }
        for index in waitFor(stubborn, until: Date().addingTimeInterval(2)) { endings[index] = .stillRunning }
        return nodes.indices.map { (nodes[$0], endings[$0]) }
    }

    /// `stop`, returning the nodes still running afterwards.
    @discardableResult
    public static func stopAll(_ nodes: [RunState.NodeEntry], grace: Double = 5) -> [RunState.NodeEntry] {
        stop(nodes, grace: grace).filter { $0.ending == .stillRunning }.map(\.node)
    }
}

/// Reaps the children this process started, so they do not linger as zombies while it runs.
final class Reaper: @unchecked Sendable {
    static let shared = Reaper()
    private let lock = NSLock()
    private var pids: Set<Int32> = []
    private var thread: Thread?

    func watch(_ pid: Int32) {
        lock.withLock {
            pids.insert(pid)
            if thread == nil {
                let thread = Thread { [self] in loop() }
                thread.start()
                self.thread = thread
            }
        }
    }

    private func loop() {
        while true {
            usleep(50_000)
            let current = lock.withLock { pids }
            for pid in current {
                var status: Int32 = 0
                if waitpid(pid, &status, WNOHANG) == pid { _ = lock.withLock { pids.remove(pid) } }
            }
        }
    }
}
