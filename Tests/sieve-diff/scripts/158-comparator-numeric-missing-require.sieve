require ["fileinto"];
if header :is :comparator "i;ascii-numeric" "X-Count" "10" {
    fileinto "yes";
} else {
    fileinto "no";
}
