require ["fileinto", "relational", "comparator-i;ascii-numeric"];
if header :value "gt" :comparator "i;ascii-numeric" "X-Count" "9" {
    fileinto "yes";
} else {
    fileinto "no";
}
