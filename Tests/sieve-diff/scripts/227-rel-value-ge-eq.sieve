require ["fileinto", "relational", "comparator-i;ascii-numeric"];
if header :value "ge" :comparator "i;ascii-numeric" "X-Count" "10" {
    fileinto "yes";
} else {
    fileinto "no";
}
