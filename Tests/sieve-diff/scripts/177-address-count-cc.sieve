require ["fileinto", "relational", "comparator-i;ascii-numeric"];
if address :count "eq" :comparator "i;ascii-numeric" "Cc" "3" {
    fileinto "yes";
} else {
    fileinto "no";
}
