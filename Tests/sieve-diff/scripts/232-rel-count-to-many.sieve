require ["fileinto", "relational", "comparator-i;ascii-numeric"];
if address :count "gt" :comparator "i;ascii-numeric" ["to"] ["5"] {
    fileinto "yes";
} else {
    fileinto "no";
}
