require ["fileinto", "comparator-i;ascii-numeric"];
if header :is :comparator "i;ascii-numeric" "X-Count" "010" {
    fileinto "yes";
} else {
    fileinto "no";
}
