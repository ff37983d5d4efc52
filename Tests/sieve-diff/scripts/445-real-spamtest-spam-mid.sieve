require ["spamtest", "fileinto", "relational", "comparator-i;ascii-numeric"];
if spamtest :value "ge" :comparator "i;ascii-numeric" "8" {
    discard;
    stop;
}
if spamtest :value "ge" :comparator "i;ascii-numeric" "5" {
    fileinto "Junk";
}
