import NewIPJSON

extension QueueBaselines {
    /// The runs behind the table, as JSON: the network, and per variant the meaning and every
    /// shown flow's results in the schema of results.json (`flows[]`).
    public var json: JSONValue {
        .object([
            ("network", .string(topology.name)), ("seed", .unsigned(topology.seed)), ("duration_ns", .integer(topology.duration)),
            ("contracted_flow", contracted.map { .string($0) } ?? .null),
            ("best_effort_twin", bestEffortTwin.map { .string($0) } ?? .null),
            ("variants", .array(runs.map { run in
                .object([
                    ("name", .string(run.variant.rawValue)), ("meaning", .string(run.variant.meaning)),
                    ("flows", .array(flowNames.compactMap { name in
                        run.results.flows.first { $0.name == name }?.json(manyNets: run.results.isManyNets)
                    })),
                ])
            })),
        ])
    }
}
