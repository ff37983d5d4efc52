require ["fileinto"];
if header :contains "From" "Jürgen" {
    fileinto "yes";
} else {
    fileinto "no";
}
