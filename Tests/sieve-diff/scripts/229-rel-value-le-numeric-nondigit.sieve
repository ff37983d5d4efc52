require ["fileinto", "relational", "comparator-i;ascii-numeric"];
if header :value "le" :comparator "i;ascii-numeric" "Subject" "99999" {
    fileinto "yes";
} else {
    fileinto "no";
}
