require ["fileinto", "comparator-i;ascii-numeric"];
if header :contains :comparator "i;ascii-numeric" "X-Count" "1" {
    fileinto "yes";
} else {
    fileinto "no";
}
