require ["fileinto", "virustest", "relational", "comparator-i;ascii-numeric"];
if virustest :value "eq" :comparator "i;ascii-numeric" "1" {
    fileinto "yes";
} else {
    fileinto "no";
}
