/// Date parts of RFC 5260 §4.2 from an RFC 5322 §3.3 date-time.
struct SieveDate {
    /// The date parts RFC 5260 §4.2 defines.
    static let partNames: Set<String> = [
        "year", "month", "day", "date", "julian", "hour", "minute", "second", "time", "iso8601", "std11", "zone",
        "weekday",
    ]

    /// Seconds since 1970 (UTC).
    var time: Int64
    /// The zone offset written in the date, in minutes east of UTC.
    var zone: Int

    /// `[day-of-week ","] day month year hour ":" minute [":" second] zone`; obsolete zone names too.
    static func parse(_ s: String) -> SieveDate? {
        var text = s
        // RFC 5260 §4.1: in a Received field the date follows the last ";".
        if let semicolon = text.lastIndex(of: ";") { text = String(text[text.index(after: semicolon)...]) }
        if let comma = text.firstIndex(of: ",") { text = String(text[text.index(after: comma)...]) }
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard words.count >= 4, let day = Int(words[0]), (1...31).contains(day) else { return nil }
        let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
        guard let mi = months.firstIndex(of: words[1].lowercased().prefix(3).description), var year = Int(words[2])
        else { return nil }
        if words[2].count < 4 { year += year < 50 ? 2000 : 1900 }
        // A year outside four digits is not a date (and would overflow the day count).
        guard (1...9999).contains(year) else { return nil }
        let hms = words[3].split(separator: ":").map { Int($0) }
        guard hms.count >= 2, hms.allSatisfy({ $0 != nil }) else { return nil }
        let (h, m, sec) = (hms[0]!, hms[1]!, hms.count > 2 ? hms[2]! : 0)
        guard h < 24, m < 60, sec <= 60 else { return nil }
        let zone = words.count > 4 ? parseZone(words[4]) ?? 0 : 0
        let days = daysFromCivil(year, mi + 1, day)
        let local = days * 86400 + Int64(h * 3600 + m * 60 + sec)
        return SieveDate(time: local - Int64(zone * 60), zone: zone)
    }

    static func parseZone(_ z: String) -> Int? {
        if let sign = z.first, sign == "+" || sign == "-", z.count == 5, let v = Int(z.dropFirst()) {
            let minutes = (v / 100) * 60 + v % 100
            return sign == "-" ? -minutes : minutes
        }
        let named = [
            "ut": 0, "gmt": 0, "z": 0, "est": -300, "edt": -240, "cst": -360, "cdt": -300, "mst": -420,
            "mdt": -360, "pst": -480, "pdt": -420,
        ]
        return named[z.lowercased()]
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date.
    static func daysFromCivil(_ year: Int, _ month: Int, _ day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = Int64((month + 9) % 12)
        let doy = (153 * mp + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    static func civil(_ days: Int64) -> (year: Int, month: Int, day: Int) {
        let z = days + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (Int(yoe + era * 400 + (m <= 2 ? 1 : 0)), Int(m), Int(d))
    }

    /// The part's text in zone `zone` (minutes east of UTC); nil for an unknown part.
    func part(_ name: String, zone: Int) -> String? {
        let local = time + Int64(zone * 60)
        let days = local >= 0 ? local / 86400 : (local - 86399) / 86400
        let secs = Int(local - days * 86400)
        let (y, mo, d) = Self.civil(days)
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let year = String(repeating: "0", count: max(0, 4 - String(y).count)) + String(y)
        let date = "\(year)-\(two(mo))-\(two(d))"
        let clock = "\(two(secs / 3600)):\(two(secs / 60 % 60)):\(two(secs % 60))"
        let sign = zone < 0 ? "-" : "+"
        let zoneText = sign + two(abs(zone) / 60) + two(abs(zone) % 60)
        switch name.lowercased() {
        case "year": return year
        case "month": return two(mo)
        case "day": return two(d)
        case "date": return date
        case "julian": return String(days + 40587)
        case "hour": return two(secs / 3600)
        case "minute": return two(secs / 60 % 60)
        case "second": return two(secs % 60)
        case "time": return clock
        case "iso8601":
            return date + "T" + clock + (zone == 0 ? "Z" : String(zoneText.prefix(3)) + ":" + zoneText.suffix(2))
        case "std11":
            let wd = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][Int(((days % 7) + 7) % 7)]
            let mn = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][mo - 1]
            return "\(wd), \(two(d)) \(mn) \(year) \(clock) \(zoneText)"
        case "zone": return zoneText
        case "weekday": return String(((days % 7) + 11) % 7)
        default: return nil
        }
    }
}

extension SieveRun {
    /// date and currentdate (RFC 5260 §4, §5): the part is matched; a field that is not a date, or a
    /// date part that is not known (a warning, not an error, as in Pigeonhole), makes the test false.
    mutating func dateTest(_ t: SieveCall) throws(SieveRuntimeError) -> Bool {
        let isDate = t.name == "date"
        let part = string(t, isDate ? 1 : 0)
        let keys = strings(t, isDate ? 2 : 1)
        guard SieveDate.partNames.contains(part.lowercased()) else {
            // A part that came from a variable may hold message text, which warnings never show.
            let shown = t.argString(isDate ? 1 : 0).contains("${") ? "" : " \"\(part)\""
            warnings.append(SieveText.oneLine("line \(t.line): unknown date part" + shown))
            return false
        }
        // An invalid :zone is ignored (the local zone is used), as Pigeonhole does.
        let explicitZone = t.string("zone").flatMap { SieveDate.parseZone(expand($0)) }
        var values: [String] = []
        if isDate {
            // Only the first field is read, and :index/:last (RFC 5260 §6) are accepted but do not
            // change that, as in Pigeonhole; a first field that is not a date makes the test false.
            for raw in headerValues(string(t, 0), decoded: false).prefix(1) {
                guard let d = SieveDate.parse(raw) else { continue }
                let zone = t.has("originalzone") ? d.zone : (explicitZone ?? env.localZoneMinutes)
                if let v = d.part(part, zone: zone) { values.append(v) }
            }
        } else {
            let d = SieveDate(time: Int64(env.now.rounded(.down)), zone: env.localZoneMinutes)
            if let v = d.part(part, zone: explicitZone ?? env.localZoneMinutes) { values.append(v) }
        }
        return try match(t, values, keys)
    }
}
