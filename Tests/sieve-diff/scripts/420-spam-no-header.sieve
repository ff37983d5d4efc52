require ["fileinto", "spamtest", "relational", "comparator-i;ascii-numeric"];
if spamtest :value "eq" :comparator "i;ascii-numeric" "0" {
    fileinto "yes";
} else {
    fileinto "no";
}
