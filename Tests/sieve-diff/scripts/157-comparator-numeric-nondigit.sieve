require ["fileinto", "comparator-i;ascii-numeric"];
if header :is :comparator "i;ascii-numeric" "Subject" "0" {
    fileinto "yes";
} else {
    fileinto "no";
}
