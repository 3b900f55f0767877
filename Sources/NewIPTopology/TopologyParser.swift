import NewIPDataPlane

/// Reads a topology file (docs/topology.md) and validates all of it before anything runs:
/// what is written (keys, values, references) as it reads, then the network it describes
/// (`Topology.problems()`, as the emulator and `nip up` check topologies built in code).
/// Every problem is reported as `file:line:column: what is wrong — how to fix it`, and a
/// file with any problem yields no topology.
public enum TopologyParser {
    /// The steps of reading a topology file, in order, for a progress display.
    public enum Step: String, Sendable, CaseIterable {
        case reading
        case parsing = "parsing YAML"
        case building
        case checking
    }

    /// Reads and parses the file at `path`; `step` hears each step as it begins.
    public static func load(path: String, threads: Int = ParallelMap.cores, step: ((Step) -> Void)? = nil) throws(TopologyError) -> Topology {
        try loadChecked(path: path, threads: threads, step: step).topology
    }

    /// `load`, as a topology `Emulation` need not check again.
    public static func loadChecked(path: String, threads: Int = ParallelMap.cores,
                                   step: ((Step) -> Void)? = nil) throws(TopologyError) -> CheckedTopology {
        step?(.reading)
        let text = try YAMLReader.text(ofFile: path)
        return try parseChecked(yaml: text, file: path, threads: threads, step: step)
    }

    /// Parses `yaml`; `file` names it in errors. Flows are read on `threads` threads, with the
    /// same topology and the same diagnostics in the same order whatever their number.
    public static func parse(yaml: String, file: String, threads: Int = ParallelMap.cores,
                             step: ((Step) -> Void)? = nil) throws(TopologyError) -> Topology {
        try parseChecked(yaml: yaml, file: file, threads: threads, step: step).topology
    }

    /// `parse`, as a topology `Emulation` need not check again.
    public static func parseChecked(yaml: String, file: String, threads: Int = ParallelMap.cores,
                                    step: ((Step) -> Void)? = nil) throws(TopologyError) -> CheckedTopology {
        step?(.parsing)
        let root = try YAMLReader.root(of: yaml, file: file, empty: "describe nodes, links and flows (see docs/topology.md)")
        let reader = YAMLReader(file: file, guide: "docs/topology.md")
        let builder = TopologyBuilder(reader: reader, threads: threads)
        step?(.building)
        let topology = builder.build(root, defaultName: Self.baseName(file))
        var diagnostics = reader.diagnostics
        if let topology {
            step?(.checking)
            // What the reader already reported is not reported again (nor what follows from it).
            diagnostics += topology.problems().filter { !builder.reported.contains($0.subject) }.map(\.diagnostic)
        }
        guard diagnostics.isEmpty, let topology else { throw TopologyError(diagnostics) }
        // No diagnostics: the reader reported nothing, so no problem was filtered out either.
        return CheckedTopology(checkedAlready: topology)
    }

    private static func baseName(_ file: String) -> String {
        let last = file.split(separator: "/").last.map(String.init) ?? file
        return last.split(separator: ".").first.map(String.init) ?? last
    }
}
