require ["fileinto", "relational", "comparator-i;ascii-numeric"];
if header :count "eq" :comparator "i;ascii-numeric" "X-Missing" "0" {
    fileinto "yes";
} else {
    fileinto "no";
}
