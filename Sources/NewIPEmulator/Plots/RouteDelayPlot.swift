import NewIPDataPlane

/// A route's delay (the metric it is installed with) over virtual time, one step line per
/// series: each level holds until the next change; where there is no route the line breaks.
struct RouteDelayPlot {
    let title: String
    let series: [(name: String, details: [String], route: [RouteFlapStudy.RouteState])]
    let span: Range<Nanoseconds>
    let frame: PlotFrame
    let unit: (name: String, scale: Double)

    init(title: String, series: [(name: String, details: [String], route: [RouteFlapStudy.RouteState])], span: Range<Nanoseconds>) {
        self.title = title
        self.series = series
        self.span = span
        unit = PlotFrame.timeUnit(for: Double(span.upperBound))
        let delays = series.flatMap { $0.route.compactMap(\.delay) }.map { Double($0) / 1e6 }
        frame = PlotFrame(xAxis: NiceAxis(low: Double(span.lowerBound) / unit.scale, high: Double(span.upperBound) / unit.scale),
                          yAxis: NiceAxis(low: 0, high: max(delays.max() ?? 0, 0.001)))
    }

    /// The step segments of one series inside the span, each a run of consecutive routes.
    func segments(_ index: Int) -> [[(x: Double, y: Double)]] {
        let route = series[index].route
        var segments: [[(x: Double, y: Double)]] = []
        var current: [(x: Double, y: Double)] = []
        for (position, state) in route.enumerated() {
            let end = position + 1 < route.count ? route[position + 1].time : span.upperBound
            let from = max(state.time, span.lowerBound), to = min(end, span.upperBound)
            guard from < to, let delay = state.delay else {
                if state.delay == nil, !current.isEmpty { segments.append(current); current = [] }
                continue
            }
            let y = frame.y(Double(delay) / 1e6)
            current += [(frame.x(Double(from) / unit.scale), y), (frame.x(Double(to) / unit.scale), y)]
        }
        if !current.isEmpty { segments.append(current) }
        return segments
    }

    var svg: String {
        var svg = frame.opening(title: title, xLabel: "virtual time (\(unit.name))", yLabel: "route delay (ms)")
        for index in series.indices {
            let colour = SVGText.colour(index)
            for segment in segments(index) {
                svg += SVGText.polyline(segment, stroke: colour.stroke, series: series[index].name, dashed: colour.dashed)
            }
        }
        svg += PlotFrame.legend(series.map { ($0.name, $0.details) })
        return svg + "</svg>\n"
    }
}
