require ["fileinto"];
if header :is "Subject" "Привет из Москвы" {
    fileinto "yes";
} else {
    fileinto "no";
}
