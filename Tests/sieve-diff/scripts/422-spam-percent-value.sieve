require ["fileinto", "spamtestplus", "relational", "comparator-i;ascii-numeric"];
if spamtest :percent :value "eq" :comparator "i;ascii-numeric" "80" {
    fileinto "yes";
} else {
    fileinto "no";
}
