require ["fileinto", "relational", "comparator-i;ascii-numeric"];
if header :count "eq" :comparator "i;ascii-numeric" "X-Tag" "2" {
    fileinto "yes";
} else {
    fileinto "no";
}
