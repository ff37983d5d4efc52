require ["fileinto", "relational", "comparator-i;ascii-numeric"];
if header :count "ge" :comparator "i;ascii-numeric" "Received" "2" {
    fileinto "yes";
} else {
    fileinto "no";
}
