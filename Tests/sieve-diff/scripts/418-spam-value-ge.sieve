require ["fileinto", "spamtest", "relational", "comparator-i;ascii-numeric"];
if spamtest :value "ge" :comparator "i;ascii-numeric" "5" {
    fileinto "yes";
} else {
    fileinto "no";
}
