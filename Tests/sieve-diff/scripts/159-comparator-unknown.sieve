require ["fileinto", "comparator-i;unknown"];
if header :is :comparator "i;unknown" "X-Count" "10" {
    fileinto "yes";
} else {
    fileinto "no";
}
